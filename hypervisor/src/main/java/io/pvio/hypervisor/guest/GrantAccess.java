package io.pvio.hypervisor.guest;

import io.pvio.hypervisor.domain.StartInfo;
import io.pvio.hypervisor.memory.GuestMemory;
import io.pvio.ring.grant.GrantEntryV1Descriptor;
import io.pvio.ring.grant.GrantEntryV1Flyweight;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The granting guest's side of its grant table (Linux's {@code gnttab_grant_foreign_access} and
 * {@code gnttab_end_foreign_access_ref}): it writes its own {@code grant_entry_v1}s in its own frames, in Xen's order
 * (domid, frame, barrier, flags), and revokes them only when the hypervisor no longer has them in use.
 * <p>
 * Refs below {@link GrantEntryV1Descriptor#FIRST_UNRESERVED_REF} are reserved for the toolstack; {@link #grantAccess}
 * hands out the others from a free list. A data path that grants and revokes per request reserves a
 * {@link GrantRefPool} once ({@link #reservePool}, Linux's {@code gnttab_alloc_grant_references}) and works on its
 * references without this object; {@link #returnPool} gives them back.
 * <p>
 * Not thread-safe: callers serialise on it (the drivers synchronise on this instance). Only the control path uses it
 * (ring pages, event channel setup, pages granted for a ring's life, pools); a pool's owner writes its reserved
 * entries without the lock, since no one else touches them until the pool is returned.
 */
public final class GrantAccess
{
    private final AtomicBuffer[] frames;
    private final int entryCount;
    private final GrantEntryV1Flyweight entry = new GrantEntryV1Flyweight();
    private final int[] freeRefs;
    private final boolean[] granted;
    /** Refs lent to a {@link GrantRefPool}: neither free nor granted here until the pool is returned. */
    private final boolean[] pooled;
    private int freeCount;
    private int pooledCount;

    /**
     * @param memory    the domain's memory.
     * @param startInfo names the grant table frames.
     */
    public GrantAccess(final GuestMemory memory, final StartInfo startInfo)
    {
        final long[] gfns = startInfo.grantTableGfns();
        this.frames = new AtomicBuffer[gfns.length];
        for (int i = 0; i < gfns.length; i++)
        {
            frames[i] = memory.frame(gfns[i]);
        }
        this.entryCount = gfns.length * GrantEntryV1Descriptor.ENTRIES_PER_FRAME;
        this.granted = new boolean[entryCount];
        this.pooled = new boolean[entryCount];
        this.freeRefs = new int[entryCount];
        for (int ref = entryCount - 1; ref >= GrantEntryV1Descriptor.FIRST_UNRESERVED_REF; ref--)
        {
            freeRefs[freeCount++] = ref;
        }
    }

    /** Grant references in the table. */
    public int entryCount()
    {
        return entryCount;
    }

    /** Unreserved references not granted now (and not lent to a pool). */
    public int freeRefCount()
    {
        return freeCount;
    }

    /** References lent to pools not yet returned. */
    public int pooledRefCount()
    {
        return pooledCount;
    }

    /**
     * Moves {@code count} free references into a new {@link GrantRefPool} for one owner's data path; they stay out
     * of this free list until {@link #returnPool}.
     *
     * @param count 0 .. {@link #freeRefCount()}.
     * @throws IllegalArgumentException if fewer than {@code count} references are free.
     */
    public GrantRefPool reservePool(final int count)
    {
        if (count < 0 || count > freeCount)
        {
            throw new IllegalArgumentException("cannot reserve " + count + " of " + freeCount + " free grant refs");
        }
        final int[] refs = new int[count];
        for (int i = 0; i < count; i++)
        {
            final int ref = freeRefs[--freeCount];
            pooled[ref] = true;
            refs[i] = ref;
        }
        pooledCount += count;
        return new GrantRefPool(frames, entryCount, refs, count);
    }

    /**
     * Takes back every reference of {@code pool}, which may not be used afterwards. A reference whose entry is
     * invalid, or can be revoked now, is free again at once; one the grantee still has mapped stays granted here and
     * is appended to {@code stillInUse}: end it with {@link #tryEndAccess} once the grantee lets go.
     * Call on the pool owner's thread.
     *
     * @return references appended to {@code stillInUse}.
     */
    public int returnPool(final GrantRefPool pool, final IntArrayList stillInUse)
    {
        if (pool.isReturned())
        {
            return 0;
        }
        int inUse = 0;
        for (int i = 0; i < pool.refCount(); i++)
        {
            final int ref = pool.refAt(i);
            if (!pooled[ref])
            {
                throw new IllegalArgumentException("ref " + ref + " was not lent to a pool");
            }
            pooled[ref] = false;
            if (pool.tryRevokeForReturn(ref))
            {
                freeRefs[freeCount++] = ref;
            }
            else
            {
                // the grantee still maps it: ours again, granted, until tryEndAccess succeeds
                granted[ref] = true;
                stillInUse.addInt(ref);
                inUse++;
            }
        }
        pooledCount -= pool.refCount();
        pool.markReturned();
        return inUse;
    }

    /**
     * Grants {@code domid} access to our frame {@code gfn}.
     *
     * @return the grant reference to pass to the grantee.
     * @throws IllegalStateException if every reference is in use.
     */
    public int grantAccess(final int domid, final long gfn, final boolean readOnly)
    {
        checkFrame(gfn);
        if (freeCount == 0)
        {
            throw new IllegalStateException("all " + entryCount + " grant references are in use");
        }
        final int ref = freeRefs[--freeCount];
        granted[ref] = true;
        wrap(ref).permitAccess(domid, (int)gfn, readOnly);
        return ref;
    }

    /**
     * Grants on a specific (e.g. reserved) reference, which must not be granted now.
     */
    public void grantAccessAt(final int ref, final int domid, final long gfn, final boolean readOnly)
    {
        checkRef(ref);
        checkFrame(gfn);
        if (granted[ref] || ref >= GrantEntryV1Descriptor.FIRST_UNRESERVED_REF)
        {
            throw new IllegalArgumentException("ref " + ref + " is granted or not reserved");
        }
        granted[ref] = true;
        wrap(ref).permitAccess(domid, (int)gfn, readOnly);
    }

    /** Whether the grantee has {@code ref} mapped or is copying it ({@code GTF_reading}/{@code GTF_writing}). */
    public boolean isInUse(final int ref)
    {
        checkRef(ref);
        return (wrap(ref).flagsVolatile() & GrantEntryV1Descriptor.GTF_IN_USE_MASK) != 0;
    }

    /**
     * Revokes {@code ref} if no one uses it: afterwards the frame may be reused and the grantee can no longer map it.
     *
     * @return true if revoked (the ref is free again); false if still in use (try again later).
     */
    public boolean tryEndAccess(final int ref)
    {
        checkRef(ref);
        if (!granted[ref])
        {
            throw new IllegalArgumentException("ref " + ref + " is not granted");
        }
        if (!wrap(ref).tryRevoke())
        {
            return false;
        }
        granted[ref] = false;
        if (ref >= GrantEntryV1Descriptor.FIRST_UNRESERVED_REF)
        {
            freeRefs[freeCount++] = ref;
        }
        return true;
    }

    private GrantEntryV1Flyweight wrap(final int ref)
    {
        return entry.wrap(frames[ref / GrantEntryV1Descriptor.ENTRIES_PER_FRAME],
            GrantEntryV1Descriptor.entryOffset(ref % GrantEntryV1Descriptor.ENTRIES_PER_FRAME));
    }

    private static void checkFrame(final long gfn)
    {
        // grant_entry_v1.frame is a u32.
        if (gfn < 0 || gfn > GrantEntryV1Descriptor.MAX_FRAME)
        {
            throw new IllegalArgumentException("gfn does not fit a v1 grant entry: " + gfn);
        }
    }

    private void checkRef(final int ref)
    {
        GrantEntryV1Descriptor.checkGrantRef(ref, entryCount);
    }
}
