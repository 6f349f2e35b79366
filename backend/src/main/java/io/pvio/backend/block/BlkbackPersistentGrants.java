package io.pvio.backend.block;

import io.pvio.hypervisor.hypercall.GrantTableOp;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.memory.ReadOnlyFrame;
import io.pvio.ring.blkif.BlkifRequest;
import org.agrona.concurrent.AtomicBuffer;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The grants a front end reuses ({@code feature-persistent}), mapped on first use and kept mapped until the ring
 * goes, or until no request has used them for the device's idle timeout ({@link #purgeIdle}): meanwhile data moves
 * through the mapping, with no hypercall. Data pages are mapped writable
 * ({@link #keepWritable}, {@link #writableView}); indirect pages, which a front end grants read-only, are mapped
 * read-only ({@link #readOnlyView}). Each kept mapping has a slot, numbered in the order they were kept (and
 * numbered again, in the same order, when a purge unmaps some).
 * <p>
 * <b>Direct transfers.</b> With each writable mapping we keep its bus address ({@link #busAddress}, asked once at
 * map time), so a request's pages can be checked for machine contiguity without a hypercall, and device buffers
 * ({@link #runBuffer}) through which storage reads and writes the front end's pages with no copy of ours. They are
 * cached, so the data path allocates nothing once a request's shape has been seen: one buffer per kept page, and per
 * first page of a run of several the last run's buffer with its page count (a kept slot always names the same
 * mapping, so the same first slot and page count, with contiguity proven again by the caller, means the same
 * frames; a purge renumbers slots, and forgets every buffer). Device buffers are not revoked on unmap:
 * {@link #release} and {@link #purgeIdle} forget every one of them before they unmap.
 * <p>
 * <b>Bounded</b> (Linux blkback's {@code max_persistent_grants}): every kept mapping is claimed from a budget shared
 * by all the rings of the device ({@link BlkbackPersistentGrantBudget}, {@link #DEFAULT_MAX_PER_DEVICE} by default),
 * whatever the front end sends, so a front end cannot make us hold an unbounded number of mappings (or exhaust our
 * maptrack): a grant beyond the budget, or one that cannot be mapped as asked (not granted to us, read-only when we
 * need to write, or kept read-only already), is not kept and the caller moves its data by grant copy instead, which
 * checks the grant per element. Nothing in use is unmapped before the ring goes: the front end promised to reuse
 * the grants, and one that does not only loses the speed-up. What it stopped using is unmapped after the idle
 * timeout, as Linux blkback does, so a front end that freed pages gets them back while connected. The ring's share
 * goes back to the budget on release.
 * <p>
 * Owned by the ring's agent; allocates nothing once a grant is kept and a request's shape has been seen.
 */
final class BlkbackPersistentGrants
{
    /** The fewest segments a request has for its run to be remembered ({@link #reuseRun}). */
    static final int RUN_CACHE_MIN_SEGMENTS = 16;
    private static final int RUN_CACHE_ENTRY_BITS = 6;
    /** Runs remembered per ring: beyond a blkfront's queue depth of large requests. */
    static final int RUN_CACHE_ENTRIES = 1 << RUN_CACHE_ENTRY_BITS;

    /**
     * Mappings the rings of one device keep together by default: 32 MiB of the front end's pages. A blkfront keeps at
     * most 512 data pages per ring persistent, plus one indirect page per request id: 544 with a one-page ring,
     * 1024 with 16 pages; so 8192 serves a device of eight such rings in full.
     */
    static final int DEFAULT_MAX_PER_DEVICE = 8192;
    /** No kept mapping: grant-copy. */
    static final int NOT_KEPT = -1;

    /** {@link #slotByRef}'s value: slot shifted left by one, bit 0 set if read-only. */
    private static final int READ_ONLY_BIT = 1;
    private static final int INITIAL_SLOTS = 64;

    private final GrantTableOp grantTable;
    private final int frontendDomid;
    private final BlkbackPersistentGrantBudget budget;
    private final GrantRefIndex slotByRef = new GrantRefIndex();
    /** Scratch: the handles of one run, for {@link GrantTableOp#deviceBuffer}. */
    private final int[] runHandles;
    /** Per slot: the maptrack handle. */
    private int[] handles = new int[INITIAL_SLOTS];
    /** Per slot: the mapped frame's machine address ({@code dev_bus_addr}). */
    private long[] busAddresses = new long[INITIAL_SLOTS];
    /** Per slot of a writable mapping: its view, once used. */
    private AtomicBuffer[] writableViews = new AtomicBuffer[INITIAL_SLOTS];
    /** Per slot of a writable mapping: a device buffer of its page, once used. */
    private ByteBuffer[] pageBuffers = new ByteBuffer[INITIAL_SLOTS];
    /** Per slot of a writable mapping: the last device buffer of a run of several pages starting at its page. */
    private ByteBuffer[] runBuffers = new ByteBuffer[INITIAL_SLOTS];
    /** Per slot: the page count of {@link #runBuffers}' entry (0: none). */
    private int[] runPageCounts = new int[INITIAL_SLOTS];
    /** Per slot: the grant reference, and the {@link #slotByRef} entry's read-only bit. */
    private int[] refs = new int[INITIAL_SLOTS];
    /** Per slot: the {@link #useTimeNs} of the last request that used it. */
    private long[] lastUsedNs = new long[INITIAL_SLOTS];
    private int slotCount;
    // Runs resolved before, direct-mapped by their first ref: a large request that names the same refs as one
    // before (a front end's registered buffer, used again) takes its slots from here, instead of looking up each
    // ref and stamping each slot's use (the metadata of a 256-page request is some 130 cache lines, which its own
    // 1 MiB of data has evicted since). Its use is stamped on the entry, and handed to its slots before anything
    // reads their last use (applyRunUses). Only machine-contiguous runs of writable slots are remembered.
    private final int[][] runCacheRefs = new int[RUN_CACHE_ENTRIES][];
    private final int[][] runCacheSlots = new int[RUN_CACHE_ENTRIES][];
    private final int[] runCacheCounts = new int[RUN_CACHE_ENTRIES];
    private final long[] runCacheUsedNs = new long[RUN_CACHE_ENTRIES];
    /** The current request's time ({@link #useTimeNs(long)}): what a slot used now records as its last use. */
    private long useTimeNs;

    /**
     * @param maxRunPages the longest run a request can make ({@link BlkbackFeatures#maxSegmentsPerRequest()}).
     * @param budget      the device's bound on kept mappings, shared with its other rings.
     */
    BlkbackPersistentGrants(
        final Hypercalls hypercalls,
        final int frontendDomid,
        final int maxRunPages,
        final BlkbackPersistentGrantBudget budget)
    {
        this.grantTable = hypercalls.grantTable();
        this.frontendDomid = frontendDomid;
        this.runHandles = new int[maxRunPages];
        this.budget = budget;
    }

    /**
     * The slot of {@code ref}'s writable mapping, mapped now if need be.
     *
     * @return the slot, or {@link #NOT_KEPT} if it cannot be kept writable (kept read-only already: an indirect page,
     * never written through): grant-copy it.
     */
    int keepWritable(final int ref)
    {
        final int kept = keep(ref, false);
        return kept == NOT_KEPT || (kept & READ_ONLY_BIT) != 0 ? NOT_KEPT : slotOf(kept);
    }

    /**
     * The page of a slot {@link #keepWritable} returned: the maptrack's view of the mapping, asked once (under its
     * monitor) and kept, since a handle's view is one object for the life of the mapping.
     */
    AtomicBuffer writableView(final int slot)
    {
        AtomicBuffer view = writableViews[slot];
        if (view == null)
        {
            view = grantTable.writableView(handles[slot]);
            writableViews[slot] = view;
        }
        return view;
    }

    /** The machine address of a kept slot's frame: slots whose addresses follow page by page are one run. */
    long busAddress(final int slot)
    {
        return busAddresses[slot];
    }

    /**
     * A device buffer over the frames of {@code slots[0 .. pageCount)}, writable slots that the caller has just
     * proven machine-contiguous in that order ({@link #busAddress}); cached, so a request of a shape seen before
     * allocates nothing. Valid until {@link #release}, which forgets it: never keep it beyond the request.
     */
    ByteBuffer runBuffer(final int[] slots, final int pageCount)
    {
        final int first = slots[0];
        if (pageCount == 1)
        {
            if (pageBuffers[first] == null)
            {
                runHandles[0] = handles[first];
                pageBuffers[first] = grantTable.deviceBuffer(runHandles, 1);
            }
            return pageBuffers[first];
        }
        // same first slot, same length, contiguity proven by the caller: the same frames as last time
        if (runPageCounts[first] != pageCount)
        {
            for (int i = 0; i < pageCount; i++)
            {
                runHandles[i] = handles[slots[i]];
            }
            runBuffers[first] = grantTable.deviceBuffer(runHandles, pageCount);
            runPageCounts[first] = pageCount;
        }
        return runBuffers[first];
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
        return kept == NOT_KEPT ? null : grantTable.readOnlyView(handles[slotOf(kept)]);
    }

    /** Mappings kept now by this ring: at most the device's budget. */
    int size()
    {
        return slotCount;
    }

    /**
     * If the {@code count} refs of {@code copy}'s segments are, in order, those of a run remembered by
     * {@link #rememberRun}, copies its slots into {@code slots} and counts this as a use of them all. The refs are
     * compared with our own copy of the request (never the shared ring), so a front end that changes its segments
     * meanwhile only misses the cache.
     *
     * @return whether it did: the slots are then writable, kept, and machine-contiguous in that order.
     */
    boolean reuseRun(final BlkifRequest copy, final int count, final int[] slots)
    {
        if (count < RUN_CACHE_MIN_SEGMENTS)
        {
            return false;
        }
        final int entry = runEntry(copy.segmentGref(0));
        final int[] refs = runCacheRefs[entry];
        if (runCacheCounts[entry] != count)
        {
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            if (refs[i] != copy.segmentGref(i))
            {
                return false;
            }
        }
        System.arraycopy(runCacheSlots[entry], 0, slots, 0, count);
        runCacheUsedNs[entry] = useTimeNs;
        return true;
    }

    /**
     * Remembers that {@code copy}'s {@code count} segment refs resolved to {@code slots}: writable, kept, and one
     * machine-contiguous byte range in that order (the caller checked). Replaces any run with the same first ref's
     * entry. Allocates only the first time an entry holds a run this long.
     */
    void rememberRun(final BlkifRequest copy, final int count, final int[] slots)
    {
        if (count < RUN_CACHE_MIN_SEGMENTS)
        {
            return;
        }
        final int entry = runEntry(copy.segmentGref(0));
        // the run this replaces hands its last use to its slots first, or they could look idle too soon
        applyRunUse(entry);
        if (runCacheRefs[entry] == null || runCacheRefs[entry].length < count)
        {
            runCacheRefs[entry] = new int[count];
            runCacheSlots[entry] = new int[count];
        }
        for (int i = 0; i < count; i++)
        {
            runCacheRefs[entry][i] = copy.segmentGref(i);
        }
        System.arraycopy(slots, 0, runCacheSlots[entry], 0, count);
        runCacheCounts[entry] = count;
        runCacheUsedNs[entry] = useTimeNs;
    }

    /** Remembered runs: how many entries hold one now (tests). */
    int runsRemembered()
    {
        int runs = 0;
        for (final int count : runCacheCounts)
        {
            runs += count > 0 ? 1 : 0;
        }
        return runs;
    }

    /**
     * The entry of a run by its first ref, hashed (Fibonacci): a front end's buffers of 256 pages granted one after
     * another start at refs 256 apart, which the low bits alone would put in one entry.
     */
    private static int runEntry(final int firstRef)
    {
        return (firstRef * 0x9E3779B9) >>> (Integer.SIZE - RUN_CACHE_ENTRY_BITS);
    }

    /** Hands each remembered run's last use to its slots: before anything reads a slot's last use. */
    private void applyRunUses()
    {
        for (int entry = 0; entry < RUN_CACHE_ENTRIES; entry++)
        {
            applyRunUse(entry);
        }
    }

    private void applyRunUse(final int entry)
    {
        final int count = runCacheCounts[entry];
        final long usedNs = runCacheUsedNs[entry];
        final int[] slots = runCacheSlots[entry];
        for (int i = 0; i < count; i++)
        {
            if (usedNs - lastUsedNs[slots[i]] > 0)
            {
                lastUsedNs[slots[i]] = usedNs;
            }
        }
    }

    /** Forgets every remembered run: their slots are about to be renumbered or unmapped. */
    private void forgetRuns()
    {
        Arrays.fill(runCacheCounts, 0);
    }

    /** The time the requests served from now on count as the last use of each kept grant they use. */
    void useTimeNs(final long nowNs)
    {
        useTimeNs = nowNs;
    }

    /**
     * Unmaps every kept grant no request has used for more than {@code idleTimeoutNs} (Linux blkback's {@code
     * persistent_grant_unused_seconds}): a front end that stopped using a grant (it freed the buffer, and waits for
     * us to let go of the page before it can end the grant) gets it back, and the ring's share of the budget shrinks
     * by as many. Those still in use keep their mappings, under new slot numbers; every device buffer and view is
     * forgotten first (none may survive its mapping), so the next requests make them again. Control-path work,
     * between two requests.
     *
     * @return how many were unmapped.
     */
    int purgeIdle(final long nowNs, final long idleTimeoutNs)
    {
        applyRunUses();
        int idle = 0;
        for (int slot = 0; slot < slotCount; slot++)
        {
            if (nowNs - lastUsedNs[slot] > idleTimeoutNs)
            {
                idle++;
            }
        }
        if (idle == 0)
        {
            return 0;
        }
        forgetDeviceBuffers();
        int kept = 0;
        for (int slot = 0; slot < slotCount; slot++)
        {
            final int entry = slotByRef.get(refs[slot]);
            if (nowNs - lastUsedNs[slot] > idleTimeoutNs)
            {
                grantTable.unmapGrantRef(handles[slot]);
                slotByRef.remove(refs[slot]);
                continue;
            }
            handles[kept] = handles[slot];
            busAddresses[kept] = busAddresses[slot];
            refs[kept] = refs[slot];
            lastUsedNs[kept] = lastUsedNs[slot];
            slotByRef.put(refs[kept], (kept << 1) | (entry & READ_ONLY_BIT));
            kept++;
        }
        slotCount = kept;
        budget.release(idle);
        return idle;
    }

    /**
     * How long from {@code nowNs} until {@link #purgeIdle} would unmap a kept grant if no request used it meanwhile
     * (0: now); -1 if none is kept.
     */
    long nextPurgeInNs(final long nowNs, final long idleTimeoutNs)
    {
        if (slotCount == 0)
        {
            return -1;
        }
        applyRunUses();
        long oldestNs = lastUsedNs[0];
        for (int slot = 1; slot < slotCount; slot++)
        {
            if (lastUsedNs[slot] - oldestNs < 0)
            {
                oldestNs = lastUsedNs[slot];
            }
        }
        return Math.max(0, oldestNs + idleTimeoutNs - nowNs + 1);
    }

    /** Forgets every device buffer, then unmaps everything and gives the ring's share back; idempotent. */
    void release()
    {
        forgetDeviceBuffers();
        for (int slot = 0; slot < slotCount; slot++)
        {
            grantTable.unmapGrantRef(handles[slot]);
        }
        slotByRef.clear();
        budget.release(slotCount);
        slotCount = 0;
    }

    /** Device buffers and views are never revoked: none may survive its mapping, so they go before any unmap. */
    private void forgetDeviceBuffers()
    {
        forgetRuns();
        Arrays.fill(writableViews, null);
        Arrays.fill(pageBuffers, null);
        Arrays.fill(runBuffers, null);
        Arrays.fill(runPageCounts, 0);
    }

    /** The kept mapping of {@code ref}, mapped now (as asked) if the budget allows; {@link #NOT_KEPT} otherwise. */
    private int keep(final int ref, final boolean readOnly)
    {
        final int kept = slotByRef.get(ref);
        if (kept != NOT_KEPT)
        {
            lastUsedNs[slotOf(kept)] = useTimeNs;
            return kept;
        }
        // the bound: a front end sending ever new refs gets grant copies, never more mappings
        if (!budget.tryClaim())
        {
            return NOT_KEPT;
        }
        final int handle = grantTable.mapGrantRef(frontendDomid, ref, readOnly);
        if (handle < 0)
        {
            budget.release(1);
            return NOT_KEPT; // not granted (as asked) to us, bad, or our maptrack is full: grant copy reports it
        }
        if (slotCount == handles.length)
        {
            grow();
        }
        final int slot = slotCount++;
        handles[slot] = handle;
        // Xen returns dev_bus_addr with the map; asked once here, never per request
        busAddresses[slot] = grantTable.busAddress(handle);
        refs[slot] = ref;
        lastUsedNs[slot] = useTimeNs;
        final int entry = (slot << 1) | (readOnly ? READ_ONLY_BIT : 0);
        slotByRef.put(ref, entry);
        return entry;
    }

    /** Room for twice as many slots: only when a new grant is kept, which maps it (control path). */
    private void grow()
    {
        final int capacity = handles.length * 2;
        handles = Arrays.copyOf(handles, capacity);
        busAddresses = Arrays.copyOf(busAddresses, capacity);
        writableViews = Arrays.copyOf(writableViews, capacity);
        pageBuffers = Arrays.copyOf(pageBuffers, capacity);
        runBuffers = Arrays.copyOf(runBuffers, capacity);
        runPageCounts = Arrays.copyOf(runPageCounts, capacity);
        refs = Arrays.copyOf(refs, capacity);
        lastUsedNs = Arrays.copyOf(lastUsedNs, capacity);
    }

    private static int slotOf(final int kept)
    {
        return kept >>> 1;
    }
}
