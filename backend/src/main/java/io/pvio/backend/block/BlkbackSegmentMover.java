package io.pvio.backend.block;

import io.pvio.hypervisor.grant.GrantCopyBatch;
import io.pvio.hypervisor.grant.GrantStatus;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.ring.blkif.BlkifIndirectRequestDescriptor;
import io.pvio.ring.blkif.BlkifRequest;
import io.pvio.ring.blkif.BlkifSegmentDescriptor;
import org.agrona.concurrent.AtomicBuffer;

import java.nio.ByteBuffer;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_INDIRECT;
import static io.pvio.ring.blkif.BlkifConstants.SECTOR_SIZE_BYTES;

/**
 * Moves one validated request's data between the front end's granted pages and a private staging buffer, where the
 * storage call reads or writes it contiguously (the segments are consecutive on the disk):
 * <ul>
 *   <li>by one {@code GNTTABOP_copy} batch per request through this ring's own bounce frames; each element reports
 *       its own status, which is how a bad or foreign grant ref is caught;</li>
 *   <li>or, for inline segments with {@code feature-persistent}, by plain copies through mappings kept from one
 *       request to the next ({@link BlkbackPersistentGrants}).</li>
 * </ul>
 * Also brings indirect pages in (copied into bounce frames, then the segments copied out of those private frames
 * once). Owned by the ring's agent; allocates nothing per request.
 */
final class BlkbackSegmentMover
{
    private final Hypercalls hypercalls;
    private final int frontendDomid;
    private final BlkbackBouncePages bounce;
    private final GrantCopyBatch grantCopies;
    private final ByteBuffer staging;
    /** Bounce frames {@code [0, indirectFramesBase)} take data segments, the rest indirect pages. */
    private final int indirectFramesBase;
    /** With {@code feature-persistent}: kept mappings; else {@code null}. */
    private final BlkbackPersistentGrants persistentGrants;
    /** Per segment of the current request: its kept mapping, or {@code null} to grant-copy through a bounce frame. */
    private final AtomicBuffer[] segmentViews;

    BlkbackSegmentMover(
        final Hypercalls hypercalls,
        final int frontendDomid,
        final BlkbackBouncePages bounce,
        final BlkbackFeatures features,
        final boolean persistent)
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
        this.segmentViews = new AtomicBuffer[features.maxSegmentsPerRequest()];
        this.persistentGrants = persistent ? new BlkbackPersistentGrants(hypercalls, frontendDomid) : null;
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

    /** Unmaps kept grants; idempotent. */
    void release()
    {
        if (persistentGrants != null)
        {
            persistentGrants.release();
        }
    }

    /**
     * Brings the indirect pages of a validated indirect request into private bounce frames (one grant copy batch),
     * then copies the segments out of them once.
     *
     * @return false if a page could not be copied (a bad indirect gref).
     */
    boolean copyIndirectSegments(final BlkifRequest copy)
    {
        final int pages = copy.indirectPageCount();
        // blkif.h: segments fill the indirect pages in order, 512 to a page; only what nr_segments uses is copied
        final int segments = copy.nrSegments();
        grantCopies.clear();
        for (int page = 0; page < pages; page++)
        {
            final int inPage = Math.min(segments - page * BlkifSegmentDescriptor.SEGMENTS_PER_PAGE,
                BlkifSegmentDescriptor.SEGMENTS_PER_PAGE);
            grantCopies.addFromGrant(frontendDomid, copy.indirectGref(page), 0, bounce.gfn(indirectFramesBase + page),
                0, inPage * BlkifSegmentDescriptor.LENGTH);
        }
        hypercalls.grantTable().copy(grantCopies);
        if (!grantCopies.allOkay())
        {
            return false;
        }
        for (int page = 0; page < pages; page++)
        {
            copy.copyIndirectSegmentsFrom(bounce.frame(indirectFramesBase + page), 0);
        }
        return true;
    }

    /**
     * Gathers a write's segments into {@link #staging()}.
     *
     * @return false if any segment could not be copied from the front end (then nothing may reach storage).
     */
    boolean gatherFromFrontend(final BlkifRequest copy)
    {
        final int segments = copy.segmentCount();
        resolveSegmentViews(copy);
        grantCopies.clear();
        for (int i = 0; i < segments; i++)
        {
            if (segmentViews[i] == null)
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
            final AtomicBuffer source = segmentViews[i] != null ? segmentViews[i] : bounce.frame(i);
            source.getBytes(copy.segmentFirstSector(i) * SECTOR_SIZE_BYTES, staging, position, length);
            position += length;
        }
        return true;
    }

    /**
     * Scatters a read's data from {@link #staging()} into the front end's segments.
     *
     * @return false if any segment could not be copied to the front end (others may have been).
     */
    boolean scatterToFrontend(final BlkifRequest copy)
    {
        final int segments = copy.segmentCount();
        resolveSegmentViews(copy);
        grantCopies.clear();
        int position = 0;
        for (int i = 0; i < segments; i++)
        {
            final int pageOffset = copy.segmentFirstSector(i) * SECTOR_SIZE_BYTES;
            final int length = segmentBytes(copy, i);
            if (segmentViews[i] != null)
            {
                segmentViews[i].putBytes(pageOffset, staging, position, length);
            }
            else
            {
                bounce.frame(i).putBytes(pageOffset, staging, position, length);
                grantCopies.addToGrant(bounce.gfn(i), pageOffset, frontendDomid, copy.segmentGref(i), pageOffset,
                    length);
            }
            position += length;
        }
        if (grantCopies.size() == 0)
        {
            return true;
        }
        hypercalls.grantTable().copy(grantCopies);
        return grantCopies.allOkay();
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

    /**
     * With persistent grants, each segment's kept mapping (mapped on first use); otherwise all {@code null}. Only
     * inline segments are kept: a front end's pool of reused pages covers what fits a request slot, and indirect
     * requests' data is copied.
     */
    private void resolveSegmentViews(final BlkifRequest copy)
    {
        final boolean keep = persistentGrants != null && copy.operation() != BLKIF_OP_INDIRECT;
        for (int i = 0; i < copy.segmentCount(); i++)
        {
            segmentViews[i] = keep ? persistentGrants.view(copy.segmentGref(i)) : null;
        }
    }
}
