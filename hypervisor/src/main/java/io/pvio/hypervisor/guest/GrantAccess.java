package io.pvio.hypervisor.guest;

import io.pvio.hypervisor.domain.StartInfo;
import io.pvio.hypervisor.memory.GuestMemory;
import io.pvio.ring.grant.GrantEntryV1Descriptor;
import io.pvio.ring.grant.GrantEntryV1Flyweight;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The granting guest's side of its grant table (Linux's {@code gnttab_grant_foreign_access} and
 * {@code gnttab_end_foreign_access_ref}): it writes its own {@code grant_entry_v1}s in its own frames, in Xen's order
 * (domid, frame, barrier, flags), and revokes them only when the hypervisor no longer has them in use.
 * <p>
 * Refs below {@link GrantEntryV1Descriptor#FIRST_UNRESERVED_REF} are reserved for the toolstack; {@link #grantAccess}
 * hands out the others from a free list. Not thread-safe: one vCPU owns it.
 */
public final class GrantAccess
{
    private final AtomicBuffer[] frames;
    private final int entryCount;
    private final GrantEntryV1Flyweight entry = new GrantEntryV1Flyweight();
    private final int[] freeRefs;
    private final boolean[] granted;
    private int freeCount;

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

    /** Unreserved references not granted now. */
    public int freeRefCount()
    {
        return freeCount;
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
