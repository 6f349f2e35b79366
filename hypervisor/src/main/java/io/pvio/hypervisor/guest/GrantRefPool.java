package io.pvio.hypervisor.guest;

import io.pvio.ring.grant.GrantEntryV1Descriptor;
import io.pvio.ring.grant.GrantEntryV1Flyweight;
import org.agrona.concurrent.AtomicBuffer;

/**
 * Grant references reserved from a {@link GrantAccess} for one owner's data path (Linux's
 * {@code gnttab_alloc_grant_references} / {@code gnttab_claim_grant_reference} /
 * {@code gnttab_release_grant_reference}): the owner grants and revokes them itself, writing the entries directly,
 * with no lock and no allocation.
 * <pre>{@code
 * GrantRefPool pool;
 * synchronized (grants) { pool = grants.reservePool(count); }        // control path
 * ...
 * final int ref = pool.claimAccess(backendDomid, gfn, readOnly);       // data path, no lock
 * if (ref == GrantRefPool.NO_REF) { ...wait for releases... }
 * try { ...the grantee uses ref... } finally { pool.releaseAccess(ref); }
 * ...
 * synchronized (grants) { grants.returnPool(pool, stillInUse); }     // control path
 * }</pre>
 * Each reference is in one of three states:
 * <ul>
 *   <li>available: the entry is invalid; {@link #claimAccess} publishes it and hands it out;</li>
 *   <li>claimed: granted, handed out, not yet released;</li>
 *   <li>revoking: released while the grantee still had it mapped ({@code GTF_reading}/{@code GTF_writing}); it is
 *       not handed out again until {@link #retryRevokes} manages to revoke it, so the grantee can never reach a
 *       frame the reference was later granted for.</li>
 * </ul>
 * Not thread-safe: one thread owns a pool (the plain fields are single-writer). The entries it writes are its own:
 * {@link GrantAccess} never touches a reserved reference until the pool is returned, so the pool and whoever else
 * uses the same grant table (under the {@code GrantAccess} monitor) write disjoint entries and need no lock between
 * them. The pool is created and returned under that monitor, which orders its hand-over to and from the owner.
 */
public final class GrantRefPool
{
    /** {@link #claimAccess} found no available reference. */
    public static final int NO_REF = -1;

    private static final byte NOT_OWNED = 0;
    private static final byte AVAILABLE = 1;
    private static final byte CLAIMED = 2;
    private static final byte REVOKING = 3;

    private final AtomicBuffer[] frames;
    private final GrantEntryV1Flyweight entry = new GrantEntryV1Flyweight();
    /** Every reference of the pool, for {@link GrantAccess#returnPool}. */
    private final int[] refs;
    /** State of each reference of the whole table, indexed by ref: {@link #NOT_OWNED} unless ours. */
    private final byte[] stateByRef;
    private final int[] available;
    private int availableCount;
    private final int[] revoking;
    private int revokingCount;
    private int claimedCount;
    private boolean returned;

    /**
     * @param frames     the grant table's frames (the granting guest's own), shared read-only with
     *                   {@link GrantAccess}.
     * @param entryCount references in the table.
     * @param refs       the references reserved for this pool: unreserved, not granted, entries invalid; the first
     *                   {@code count} are copied.
     * @param count      how many.
     */
    GrantRefPool(final AtomicBuffer[] frames, final int entryCount, final int[] refs, final int count)
    {
        this.frames = frames;
        this.refs = new int[count];
        this.stateByRef = new byte[entryCount];
        this.available = new int[count];
        this.revoking = new int[count];
        for (int i = count - 1; i >= 0; i--)
        {
            final int ref = refs[i];
            this.refs[i] = ref;
            stateByRef[ref] = AVAILABLE;
            available[availableCount++] = ref;
        }
    }

    /** References reserved: available, claimed and revoking together. */
    public int capacity()
    {
        return refs.length;
    }

    /** References {@link #claimAccess} can hand out now. */
    public int availableCount()
    {
        return availableCount;
    }

    /** References handed out and not yet released. */
    public int claimedCount()
    {
        return claimedCount;
    }

    /** References released while the grantee still had them mapped, waiting to be revoked. */
    public int revokingCount()
    {
        return revokingCount;
    }

    /** Whether {@code ref} belongs to this pool. */
    public boolean owns(final int ref)
    {
        return GrantEntryV1Descriptor.isValidGrantRef(ref, stateByRef.length) && stateByRef[ref] != NOT_OWNED;
    }

    /**
     * Grants {@code domid} access to our frame {@code gfn} on an available reference (Xen's order: domid, frame,
     * then the flags that make the entry valid). Pair with {@link #releaseAccess}.
     *
     * @return the reference to pass to the grantee, or {@link #NO_REF} if none is available.
     */
    public int claimAccess(final int domid, final long gfn, final boolean readOnly)
    {
        checkNotReturned();
        // grant_entry_v1.frame is a u32.
        if (gfn < 0 || gfn > GrantEntryV1Descriptor.MAX_FRAME)
        {
            throw new IllegalArgumentException("gfn does not fit a v1 grant entry: " + gfn);
        }
        if (availableCount == 0)
        {
            return NO_REF;
        }
        final int ref = available[--availableCount];
        // hypervisor: a map or copy that sees the new flags also sees domid and frame (release store of flags).
        wrap(ref).permitAccess(domid, (int)gfn, readOnly);
        stateByRef[ref] = CLAIMED;
        claimedCount++;
        return ref;
    }

    /**
     * Ends access through a claimed {@code ref}. If the grantee no longer uses it, it is revoked and available again
     * at once; otherwise it is kept back (revoking) and handed out again only once {@link #retryRevokes} revokes it.
     *
     * @return true if revoked now; false if the grantee still has it mapped.
     * @throws IllegalArgumentException if {@code ref} is not claimed from this pool.
     */
    public boolean releaseAccess(final int ref)
    {
        checkNotReturned();
        if (!GrantEntryV1Descriptor.isValidGrantRef(ref, stateByRef.length) || stateByRef[ref] != CLAIMED)
        {
            throw new IllegalArgumentException("ref " + ref + " is not claimed from this pool");
        }
        claimedCount--;
        // hypervisor: a later map sees GTF_invalid; fails (and changes nothing) while GTF_reading/GTF_writing is set.
        if (wrap(ref).tryRevoke())
        {
            stateByRef[ref] = AVAILABLE;
            available[availableCount++] = ref;
            return true;
        }
        stateByRef[ref] = REVOKING;
        revoking[revokingCount++] = ref;
        return false;
    }

    /**
     * Tries again to revoke every reference the grantee still had mapped when it was released; those it has let go
     * of become available.
     *
     * @return references made available.
     */
    public int retryRevokes()
    {
        checkNotReturned();
        int revoked = 0;
        for (int i = revokingCount - 1; i >= 0; i--)
        {
            final int ref = revoking[i];
            // hypervisor: as in releaseAccess; succeeds once the grantee's last unmap cleared the in-use bits.
            if (wrap(ref).tryRevoke())
            {
                revoking[i] = revoking[--revokingCount];
                stateByRef[ref] = AVAILABLE;
                available[availableCount++] = ref;
                revoked++;
            }
        }
        return revoked;
    }

    /** Whether this pool went back to its {@link GrantAccess}; it may not be used afterwards. */
    public boolean isReturned()
    {
        return returned;
    }

    // ---- for GrantAccess.returnPool, monitor held, on the owner's thread ----

    int refCount()
    {
        return refs.length;
    }

    int refAt(final int index)
    {
        return refs[index];
    }

    /**
     * Revokes {@code ref} if it is still granted (claimed or revoking), for the return of the pool.
     *
     * @return true if its entry is now invalid; false if the grantee still has it mapped.
     */
    boolean tryRevokeForReturn(final int ref)
    {
        final byte state = stateByRef[ref];
        return state == AVAILABLE || wrap(ref).tryRevoke();
    }

    void markReturned()
    {
        returned = true;
        availableCount = 0;
        revokingCount = 0;
        claimedCount = 0;
    }

    private void checkNotReturned()
    {
        if (returned)
        {
            throw new IllegalStateException("grant ref pool already returned");
        }
    }

    private GrantEntryV1Flyweight wrap(final int ref)
    {
        return entry.wrap(frames[ref / GrantEntryV1Descriptor.ENTRIES_PER_FRAME],
            GrantEntryV1Descriptor.entryOffset(ref % GrantEntryV1Descriptor.ENTRIES_PER_FRAME));
    }
}
