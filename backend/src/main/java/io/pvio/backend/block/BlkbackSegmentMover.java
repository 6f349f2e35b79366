package io.pvio.backend.block;

import io.pvio.hypervisor.grant.GrantCopyBatch;
import io.pvio.hypervisor.grant.GrantStatus;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.memory.ReadOnlyFrame;
import io.pvio.ring.blkif.BlkifIndirectRequestDescriptor;
import io.pvio.ring.blkif.BlkifRequest;
import io.pvio.ring.blkif.BlkifSegmentDescriptor;
import org.agrona.concurrent.AtomicBuffer;

import java.nio.ByteBuffer;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_INDIRECT;
import static io.pvio.ring.blkif.BlkifConstants.SECTORS_PER_PAGE;
import static io.pvio.ring.blkif.BlkifConstants.SECTOR_SIZE_BYTES;

/**
 * Moves one validated request's data between the front end's granted pages and storage. With {@code
 * feature-persistent}, a request whose pages are all kept writable and form one machine-contiguous byte range goes
 * <b>direct</b>: {@link #directRun} gives a device buffer over them and the storage call reads or writes the front
 * end's pages itself, one copy per byte. Otherwise its data goes through a private staging buffer, where the storage
 * call reads or writes it contiguously (the segments are consecutive on the disk):
 * <ul>
 *   <li>by one {@code GNTTABOP_copy} batch per request through this ring's own bounce frames; each element reports
 *       its own status, which is how a bad or foreign grant ref is caught;</li>
 *   <li>or, with {@code feature-persistent}, by plain copies through mappings kept from one request to the next
 *       ({@link BlkbackPersistentGrants}), for inline and indirect segments alike; a segment whose grant cannot be
 *       kept (beyond the device's budget, or not mappable) is grant-copied within the same request.</li>
 * </ul>
 * Also brings indirect pages in: copied into private bounce frames (by grant copy, or with {@code feature-persistent}
 * by a plain copy from a kept read-only mapping), then the segments copied out of those private frames once
 * (XSA-155: the front end can change its page, never what we validate). Every decision (kept or not, direct or not)
 * is made on the private copy of the request, never on the front end's pages. Owned by the ring's agent; allocates
 * nothing per request (a direct run's device buffer is made once per new run shape, then cached).
 */
final class BlkbackSegmentMover
{
    private static final int PAGE_BYTES = BlkbackBouncePages.PAGE_BYTES;

    private final Hypercalls hypercalls;
    private final int frontendDomid;
    private final BlkbackBouncePages bounce;
    private final GrantCopyBatch grantCopies;
    private final ByteBuffer staging;
    /** Bounce frames {@code [0, indirectFramesBase)} take data segments, the rest indirect pages. */
    private final int indirectFramesBase;
    /** With {@code feature-persistent}: kept mappings; else {@code null}. */
    private final BlkbackPersistentGrants persistentGrants;
    /** Per segment of the current request: its kept writable slot, or {@link BlkbackPersistentGrants#NOT_KEPT}. */
    private final int[] segmentSlots;
    /** Segments of the current request with a kept mapping ({@link #resolveSegments}). */
    private int keptSegments;
    /** Whether the current request's slots came from a remembered run ({@link BlkbackPersistentGrants#reuseRun}). */
    private boolean runRemembered;
    /** Where the current request's bytes start in {@link #directRun}'s buffer. */
    private int directRunOffsetBytes;
    private final BlkbackCounters counters;
    /** Whether every indirect page of the current (indirect) request came through a kept mapping. */
    private boolean indirectPagesKept;

    BlkbackSegmentMover(
        final Hypercalls hypercalls,
        final int frontendDomid,
        final BlkbackBouncePages bounce,
        final BlkbackFeatures features,
        final boolean persistent,
        final BlkbackPersistentGrantBudget persistentGrantBudget,
        final BlkbackCounters counters)
    {
        if (bounce.pageCount() < bounceFramesNeeded(features))
        {
            throw new IllegalArgumentException("need a bounce frame per segment and indirect page: " +
                bounce.pageCount());
        }
        this.hypercalls = hypercalls;
        this.frontendDomid = frontendDomid;
        this.bounce = bounce;
        this.indirectFramesBase = features.maxSegmentsPerRequest();
        this.grantCopies = new GrantCopyBatch(features.maxSegmentsPerRequest());
        this.staging = ByteBuffer.allocateDirect(features.maxSegmentsPerRequest() * BlkbackBouncePages.PAGE_BYTES);
        this.segmentSlots = new int[features.maxSegmentsPerRequest()];
        this.persistentGrants = persistent ? new BlkbackPersistentGrants(
            hypercalls, frontendDomid, features.maxSegmentsPerRequest(), persistentGrantBudget) : null;
        this.counters = counters;
    }

    /** Bounce frames a ring needs: one per data segment, plus one per indirect page if indirect is offered. */
    static int bounceFramesNeeded(final BlkbackFeatures features)
    {
        return features.maxSegmentsPerRequest() + (features.maxIndirectSegments() > 0 ?
            BlkifIndirectRequestDescriptor.indirectPageCount(features.maxIndirectSegments()) : 0);
    }

    /** Where a request's data sits between the front end and storage: bytes {@code [0, total)}. */
    ByteBuffer staging()
    {
        return staging;
    }

    int persistentGrantsMapped()
    {
        return persistentGrants == null ? 0 : persistentGrants.size();
    }

    /** With persistent grants: the requests served from now on count as a use at {@code nowNs} of each grant. */
    void useTimeNs(final long nowNs)
    {
        if (persistentGrants != null)
        {
            persistentGrants.useTimeNs(nowNs);
        }
    }

    /** Unmaps the kept grants no request used for more than {@code idleTimeoutNs}; how many. Between requests. */
    int purgeIdleGrants(final long nowNs, final long idleTimeoutNs)
    {
        return persistentGrants == null ? 0 : persistentGrants.purgeIdle(nowNs, idleTimeoutNs);
    }

    /** How long until a kept grant left unused would be purged; -1 if none is kept. */
    long nextPurgeInNs(final long nowNs, final long idleTimeoutNs)
    {
        return persistentGrants == null ? -1 : persistentGrants.nextPurgeInNs(nowNs, idleTimeoutNs);
    }

    /** Unmaps kept grants; idempotent. */
    void release()
    {
        if (persistentGrants != null)
        {
            persistentGrants.release();
        }
    }

    /**
     * Brings the indirect pages of a validated indirect request into private bounce frames (plain copies from kept
     * read-only mappings, one grant copy batch for the rest), then copies the segments out of them once.
     *
     * @return false if a page could not be copied (a bad indirect gref).
     */
    boolean copyIndirectSegments(final BlkifRequest copy)
    {
        final int pages = copy.indirectPageCount();
        // blkif.h: segments fill the indirect pages in order, 512 to a page; only what nr_segments uses is copied
        final int segments = copy.nrSegments();
        grantCopies.clear();
        indirectPagesKept = persistentGrants != null;
        for (int page = 0; page < pages; page++)
        {
            final int inPage = Math.min(segments - page * BlkifSegmentDescriptor.SEGMENTS_PER_PAGE,
                BlkifSegmentDescriptor.SEGMENTS_PER_PAGE);
            final int lengthBytes = inPage * BlkifSegmentDescriptor.LENGTH;
            final ReadOnlyFrame kept = persistentGrants != null ?
                persistentGrants.readOnlyView(copy.indirectGref(page)) : null;
            if (kept != null)
            {
                // plain loads from the front end's page: it may change it meanwhile, but we parse only our copy
                kept.getBytes(0, bounce.frame(indirectFramesBase + page), 0, lengthBytes);
            }
            else
            {
                indirectPagesKept = false;
                grantCopies.addFromGrant(frontendDomid, copy.indirectGref(page), 0,
                    bounce.gfn(indirectFramesBase + page), 0, lengthBytes);
            }
        }
        if (grantCopies.size() > 0)
        {
            hypercalls.grantTable().copy(grantCopies);
            if (!grantCopies.allOkay())
            {
                return false;
            }
        }
        for (int page = 0; page < pages; page++)
        {
            copy.copyIndirectSegmentsFrom(bounce.frame(indirectFramesBase + page), 0);
        }
        return true;
    }

    /**
     * With persistent grants, looks up each segment's kept writable mapping (mapped on first use, inline or indirect
     * alike: a front end's persistent pages carry both), or none where the grant cannot be kept (the budget is
     * spent, or it is not granted writable to us): that segment is grant-copied. Without, none. Call once per read
     * or write, before {@link #directRun}, {@link #gatherFromFrontend} or {@link #scatterToFrontend}, which use what
     * it found.
     */
    void resolveSegments(final BlkifRequest copy)
    {
        if (persistentGrants != null && persistentGrants.reuseRun(copy, copy.segmentCount(), segmentSlots))
        {
            // the same refs as a large request before: every one kept writable, one contiguous range
            keptSegments = copy.segmentCount();
            runRemembered = true;
            counters.addReusedRun();
            return;
        }
        runRemembered = false;
        int kept = 0;
        for (int i = 0; i < copy.segmentCount(); i++)
        {
            final int slot = persistentGrants != null ?
                persistentGrants.keepWritable(copy.segmentGref(i)) : BlkbackPersistentGrants.NOT_KEPT;
            segmentSlots[i] = slot;
            if (slot != BlkbackPersistentGrants.NOT_KEPT)
            {
                kept++;
            }
        }
        keptSegments = kept;
    }

    /**
     * The resolved request's pages as one device buffer, if storage can read or write them in place: every segment
     * has a kept writable mapping and together they are one byte range of machine memory (each page's bus address
     * one page after the previous one's; every segment but the first starts at sector 0, every one but the last ends
     * at sector 7). The request's bytes are then {@code [directRunOffsetBytes(), + total)} of it. Allocates nothing
     * once a request of this shape has been seen.
     *
     * @return the buffer (valid for this request only), or {@code null}: go through {@link #staging()}.
     */
    ByteBuffer directRun(final BlkifRequest copy)
    {
        final int segments = copy.segmentCount();
        if (persistentGrants == null || segments == 0 || keptSegments != segments)
        {
            return null;
        }
        final long firstBusAddress = persistentGrants.busAddress(segmentSlots[0]);
        for (int i = 1; i < segments; i++)
        {
            // one byte range, no hole: segment i - 1 runs to the end of its page, segment i starts the next page (a
            // remembered run's pages were proven machine-contiguous when it was remembered: only the sectors)
            if (copy.segmentLastSector(i - 1) != SECTORS_PER_PAGE - 1 || copy.segmentFirstSector(i) != 0 ||
                (!runRemembered &&
                persistentGrants.busAddress(segmentSlots[i]) != firstBusAddress + (long)i * PAGE_BYTES))
            {
                return null;
            }
        }
        if (!runRemembered)
        {
            persistentGrants.rememberRun(copy, segments, segmentSlots);
        }
        directRunOffsetBytes = copy.segmentFirstSector(0) * SECTOR_SIZE_BYTES;
        return persistentGrants.runBuffer(segmentSlots, segments);
    }

    /** Where the request's bytes start in the last {@link #directRun} buffer. */
    int directRunOffsetBytes()
    {
        return directRunOffsetBytes;
    }

    /** Counts a request whose storage call went through {@link #directRun}: all of its segments were kept. */
    void countDirect(final BlkifRequest copy)
    {
        counters.addDirectTransfer();
        countMoved(copy, keptSegments);
    }

    /**
     * Gathers a resolved write's segments into {@link #staging()}.
     *
     * @return false if any segment could not be copied from the front end (then nothing may reach storage).
     */
    boolean gatherFromFrontend(final BlkifRequest copy)
    {
        final int segments = copy.segmentCount();
        final int kept = keptSegments;
        grantCopies.clear();
        for (int i = 0; i < segments; i++)
        {
            if (segmentSlots[i] == BlkbackPersistentGrants.NOT_KEPT)
            {
                final int pageOffset = copy.segmentFirstSector(i) * SECTOR_SIZE_BYTES;
                grantCopies.addFromGrant(frontendDomid, copy.segmentGref(i), pageOffset, bounce.gfn(i), pageOffset,
                    segmentBytes(copy, i));
            }
        }
        if (grantCopies.size() > 0)
        {
            hypercalls.grantTable().copy(grantCopies);
            if (!grantCopies.allOkay())
            {
                return false;
            }
        }
        int position = 0;
        for (int i = 0; i < segments; i++)
        {
            final int length = segmentBytes(copy, i);
            final AtomicBuffer view = keptView(i);
            final AtomicBuffer source = view != null ? view : bounce.frame(i);
            source.getBytes(copy.segmentFirstSector(i) * SECTOR_SIZE_BYTES, staging, position, length);
            position += length;
        }
        countMoved(copy, kept);
        return true;
    }

    /**
     * Scatters a resolved read's data from {@link #staging()} into the front end's segments.
     *
     * @return false if any segment could not be copied to the front end (others may have been).
     */
    boolean scatterToFrontend(final BlkifRequest copy)
    {
        final int segments = copy.segmentCount();
        final int kept = keptSegments;
        grantCopies.clear();
        int position = 0;
        for (int i = 0; i < segments; i++)
        {
            final int pageOffset = copy.segmentFirstSector(i) * SECTOR_SIZE_BYTES;
            final int length = segmentBytes(copy, i);
            final AtomicBuffer view = keptView(i);
            if (view != null)
            {
                view.putBytes(pageOffset, staging, position, length);
            }
            else
            {
                bounce.frame(i).putBytes(pageOffset, staging, position, length);
                grantCopies.addToGrant(bounce.gfn(i), pageOffset, frontendDomid, copy.segmentGref(i), pageOffset,
                    length);
            }
            position += length;
        }
        if (grantCopies.size() > 0)
        {
            hypercalls.grantTable().copy(grantCopies);
            if (!grantCopies.allOkay())
            {
                return false;
            }
        }
        countMoved(copy, kept);
        return true;
    }

    /** Segment {@code i}'s kept mapping, or {@code null}: grant-copy it through its bounce frame. */
    private AtomicBuffer keptView(final int i)
    {
        final int slot = segmentSlots[i];
        return slot == BlkbackPersistentGrants.NOT_KEPT ? null : persistentGrants.writableView(slot);
    }

    private void countMoved(final BlkifRequest copy, final int kept)
    {
        final int copied = copy.segmentCount() - kept;
        counters.addSegments(kept, copied);
        if (copy.operation() == BLKIF_OP_INDIRECT && indirectPagesKept && copied == 0)
        {
            counters.addPersistentIndirectRequest();
        }
    }

    /** The first failed element of the last grant copy, for the one log line. */
    String firstGrantFailure()
    {
        for (int i = 0; i < grantCopies.size(); i++)
        {
            if (grantCopies.status(i) != GrantStatus.OKAY)
            {
                return "element " + i + ": " + GrantStatus.message(grantCopies.status(i));
            }
        }
        return "no failed element";
    }

    static int segmentBytes(final BlkifRequest copy, final int i)
    {
        return BlkifSegmentDescriptor.sectorCount(copy.segmentFirstSector(i), copy.segmentLastSector(i)) *
            SECTOR_SIZE_BYTES;
    }
}
