package io.pvio.backend.block;

import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.memory.ReadOnlyFrame;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The grants a front end reuses ({@code feature-persistent}), mapped on first use and kept mapped until the ring
 * goes: afterwards data moves by plain copies through the mapping, with no hypercall. Data pages are mapped writable
 * ({@link #writableView}); indirect pages, which a front end grants read-only, are mapped read-only
 * ({@link #readOnlyView}).
 * <p>
 * <b>Bounded</b> (Linux blkback's {@code max_pgrants}): at most {@link #MAX_PER_RING} mappings are kept, whatever
 * the front end sends, so a front end cannot make us hold an unbounded number of mappings (or exhaust our maptrack):
 * a grant beyond the bound, or one that cannot be mapped as asked (not granted to us, read-only when we need to
 * write, or kept read-only already), is answered {@code null} and the caller moves its data by grant copy instead,
 * which checks the grant per element. Nothing is unmapped before the ring goes: the front end promised to reuse the
 * grants, and one that does not only loses the speed-up.
 * <p>
 * Owned by the ring's agent; allocates nothing once a grant is kept.
 */
final class BlkbackPersistentGrants
{
    /**
     * Mappings kept per ring (Linux blkback keeps up to 1056 by default). A blkfront keeps at most 512 data pages
     * per ring persistent, plus one indirect page per request id: 544 with a one-page ring, 1024 with 16 pages.
     */
    static final int MAX_PER_RING = 1024;

    /** {@link #handleByRef}'s value: handle shifted left by one (maptrack handles are small), bit 0 set if read-only. */
    private static final int READ_ONLY_BIT = 1;
    private static final int NOT_KEPT = -1;

    private final Hypercalls hypercalls;
    private final int frontendDomid;
    private final Int2IntHashMap handleByRef = new Int2IntHashMap(NOT_KEPT);

    BlkbackPersistentGrants(final Hypercalls hypercalls, final int frontendDomid)
    {
        this.hypercalls = hypercalls;
        this.frontendDomid = frontendDomid;
    }

    /**
     * The writable mapping of {@code ref}, mapped now if need be.
     *
     * @return the page, or {@code null} if it cannot be kept writable: grant-copy it.
     */
    AtomicBuffer writableView(final int ref)
    {
        final int kept = keep(ref, false);
        if (kept == NOT_KEPT || (kept & READ_ONLY_BIT) != 0)
        {
            return null; // kept read-only (an indirect page): never written through
        }
        return hypercalls.grantTable().writableView(handleOf(kept));
    }

    /**
     * A read-only view of {@code ref}'s mapping (a writable one if kept writable already), mapped read-only now if
     * need be.
     *
     * @return the page, or {@code null} if it cannot be kept: grant-copy it.
     */
    ReadOnlyFrame readOnlyView(final int ref)
    {
        final int kept = keep(ref, true);
        return kept == NOT_KEPT ? null : hypercalls.grantTable().readOnlyView(handleOf(kept));
    }

    /** Mappings kept now: at most the bound. */
    int size()
    {
        return handleByRef.size();
    }

    /** Unmaps everything; idempotent. */
    void release()
    {
        handleByRef.forEach((ref, kept) -> hypercalls.grantTable().unmapGrantRef(handleOf(kept)));
        handleByRef.clear();
    }

    /** The kept mapping of {@code ref}, mapped now (as asked) if there is room; {@link #NOT_KEPT} otherwise. */
    private int keep(final int ref, final boolean readOnly)
    {
        final int kept = handleByRef.get(ref);
        if (kept != NOT_KEPT)
        {
            return kept;
        }
        // the bound: a front end sending ever new refs gets grant copies, never more mappings
        if (handleByRef.size() >= MAX_PER_RING)
        {
            return NOT_KEPT;
        }
        final int handle = hypercalls.grantTable().mapGrantRef(frontendDomid, ref, readOnly);
        if (handle < 0)
        {
            return NOT_KEPT; // not granted (as asked) to us, bad, or our maptrack is full: grant copy reports it
        }
        final int entry = (handle << 1) | (readOnly ? READ_ONLY_BIT : 0);
        handleByRef.put(ref, entry);
        return entry;
    }

    private static int handleOf(final int kept)
    {
        return kept >>> 1;
    }
}
