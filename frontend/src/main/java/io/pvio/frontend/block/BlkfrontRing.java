package io.pvio.frontend.block;

import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.ring.FrontRing;
import io.pvio.ring.RingOverflowException;
import io.pvio.hypervisor.memory.GuestMemory;
import io.pvio.ring.blkif.BlkifConstants;
import io.pvio.ring.blkif.BlkifDiscardRequestFlyweight;
import io.pvio.ring.blkif.BlkifIndirectPageFlyweight;
import io.pvio.ring.blkif.BlkifIndirectRequestFlyweight;
import io.pvio.ring.blkif.BlkifSegmentDescriptor;
import io.pvio.ring.blkif.BlkifRequestFlyweight;
import io.pvio.ring.blkif.BlkifResponseFlyweight;
import org.agrona.ErrorHandler;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.AtomicBuffer;

import java.util.ArrayList;
import java.util.List;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_DISCARD;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_FLUSH_DISKCACHE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_INDIRECT;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_READ;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_WRITE;

/**
 * blkfront's data path over one connected ring (the wire is in {@code io.pvio.ring.blkif}, the handshake in
 * {@link BlkfrontXenbus}). Owned by the device's agent thread.
 * <ul>
 *   <li>Issue: each request takes a free id (its index in the shadow table, so the ring never holds more requests
 *       than ids), grants its pages to the back end (writable for a read, read-only for a write), and is written
 *       whole into its slot; {@link #publish()} pushes the batch and kicks the back end once if it asked.</li>
 *   <li>Collect: {@code rsp_prod} is validated by the ring; each response's id must name a request we issued and
 *       still have in flight, with the operation we sent (blkfront {@code blkif_interrupt}); anything else is a
 *       hostile back end and faults this ring (logged once). The request's grants are ended (a grant the back end
 *       still uses is retried later) before it completes.</li>
 *   <li>Detach: every request still in flight is handed back, grants ended, to be issued again on the next ring.</li>
 * </ul>
 * Requests of more than 11 pages use the indirect form when the back end offers it: each id owns its indirect pages
 * ({@link BlkfrontGrantedPages}, granted read-only for the life of the ring) and they are rewritten per request.
 * <p>
 * {@link GrantAccess} is shared with the control path (ring pages), so every use takes its monitor: once per batch.
 */
final class BlkfrontRing
{
    private final FrontRing front;
    private final AtomicBuffer buffer;
    private final int port;
    private final int handle;
    private final int backendDomid;
    private final Hypercalls hypercalls;
    private final GrantAccess grants;
    private final ErrorHandler errorHandler;
    private final BlkfrontRequest[] shadow;
    private final int[] freeIds;
    private int freeIdCount;
    private final IntArrayList refsStillInUse;
    /** Requests answered in this cycle: completed by the engine once the grants monitor is released. */
    private final List<BlkfrontRequest> answered;
    private final BlkifRequestFlyweight readWrite = new BlkifRequestFlyweight();
    private final BlkifDiscardRequestFlyweight discard = new BlkifDiscardRequestFlyweight();
    private final BlkifResponseFlyweight response = new BlkifResponseFlyweight();
    private final BlkifIndirectRequestFlyweight indirect = new BlkifIndirectRequestFlyweight();
    private final BlkifIndirectPageFlyweight indirectPage = new BlkifIndirectPageFlyweight();
    private final BlkfrontGrantedPages indirectPages;
    /** With {@code feature-persistent}: each id's pool of reused pages for inline segments; else {@code null}. */
    private final BlkfrontGrantedPages persistentPages;
    private final GuestMemory memory;
    private boolean responseEventArmed;
    private boolean faulted;

    BlkfrontRing(
        final FrontRing front,
        final int port,
        final int handle,
        final int backendDomid,
        final Hypercalls hypercalls,
        final GrantAccess grants,
        final IntArrayList refsStillInUse,
        final List<BlkfrontRequest> answered,
        final ErrorHandler errorHandler,
        final GuestMemory memory,
        final int maxIndirectSegments,
        final boolean persistent)
    {
        this.memory = memory;
        this.front = front;
        this.buffer = front.sharedRing().buffer();
        this.port = port;
        this.handle = handle;
        this.backendDomid = backendDomid;
        this.hypercalls = hypercalls;
        this.grants = grants;
        this.refsStillInUse = refsStillInUse;
        this.answered = answered;
        this.errorHandler = errorHandler;
        this.shadow = new BlkfrontRequest[front.size()];
        this.freeIds = new int[front.size()];
        for (int id = shadow.length - 1; id >= 0; id--)
        {
            freeIds[freeIdCount++] = id;
        }
        this.indirectPages = maxIndirectSegments > 0 ?
            BlkfrontGrantedPages.claimIndirect(hypercalls, memory, grants, backendDomid, shadow.length,
                maxIndirectSegments,
                errorHandler) : null;
        this.persistentPages = persistent ?
            BlkfrontGrantedPages.claimPersistent(hypercalls, memory, grants, backendDomid, shadow.length,
                errorHandler) :
            null;
    }

    /** Whether inline requests go through reused, persistently granted pages. */
    boolean usesPersistentGrants()
    {
        return persistentPages != null;
    }

    /** The most pages one request may span on this ring: 11 inline, more if indirect pages are set up. */
    int maxSegmentsPerRequest()
    {
        return indirectPages == null ? BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST :
            Math.max(BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST, indirectPages.maxSegments());
    }

    /** Requests the ring can hold at once: the queue depth. */
    int capacity()
    {
        return shadow.length;
    }

    int inFlight()
    {
        return shadow.length - freeIdCount;
    }

    boolean isFaulted()
    {
        return faulted;
    }

    boolean canIssue()
    {
        return !faulted && freeIdCount > 0 && !front.isFull();
    }

    /** Puts {@code request} in the next slot; call with the grants monitor held, then {@link #publish()}. */
    void issue(final BlkfrontRequest request)
    {
        final int id = freeIds[--freeIdCount];
        shadow[id] = request;
        final int slot = front.claimRequest();
        switch (request.operation)
        {
            case BLKIF_OP_READ, BLKIF_OP_WRITE ->
            {
                if (request.isIndirect())
                {
                    issueIndirect(request, id, slot);
                    return;
                }
                if (persistentPages != null)
                {
                    issuePersistent(request, id, slot);
                    return;
                }
                final BlockBuffer data = request.buffer;
                // the back end writes into our pages for a read, only reads them for a write
                final boolean readOnly = request.operation == BLKIF_OP_WRITE;
                readWrite.wrap(buffer, slot).header(request.operation, data.pageCount(), handle).id(id)
                    .sectorNumber(request.sector);
                for (int page = 0; page < data.pageCount(); page++)
                {
                    final int ref = grants.grantAccess(backendDomid, data.gfn(page), readOnly);
                    request.grantRefs[page] = ref;
                    request.grantCount = page + 1;
                    readWrite.segment(page, ref, data.firstSector(page), data.lastSector(page));
                }
            }
            case BLKIF_OP_FLUSH_DISKCACHE ->
                readWrite.wrap(buffer, slot).clear().header(BLKIF_OP_FLUSH_DISKCACHE, 0, handle).id(id);
            case BLKIF_OP_DISCARD -> discard.wrap(buffer, slot).clear().operation(BLKIF_OP_DISCARD).flag(0)
                .handle(handle).id(id).sectorNumber(request.sector).nrSectors(request.discardSectors);
            default -> throw new IllegalStateException("not an operation blkfront issues: " + request.operation);
        }
    }

    /**
     * A read or write through this id's reused pages ({@code feature-persistent}): a write's data is copied into them
     * first, a read's copied out when it completes; no grant is made or ended per request.
     */
    private void issuePersistent(final BlkfrontRequest request, final int id, final int slot)
    {
        final BlockBuffer data = request.buffer;
        readWrite.wrap(buffer, slot).header(request.operation, data.pageCount(), handle).id(id)
            .sectorNumber(request.sector);
        for (int page = 0; page < data.pageCount(); page++)
        {
            if (request.operation == BLKIF_OP_WRITE)
            {
                copySegment(data, page, memory.frame(data.gfn(page)), persistentPages.frame(id, page));
            }
            readWrite.segment(page, persistentPages.ref(id, page), data.firstSector(page), data.lastSector(page));
        }
        request.persistentId = id;
    }

    private static void copySegment(
        final BlockBuffer data, final int page, final AtomicBuffer from, final AtomicBuffer to)
    {
        final int offset = data.firstSector(page) * BlkifConstants.SECTOR_SIZE_BYTES;
        final int length = (data.lastSector(page) + 1) * BlkifConstants.SECTOR_SIZE_BYTES - offset;
        to.putBytes(offset, from, offset, length);
    }

    /** A read or write whose segments go into this id's indirect pages (blkif.h {@code BLKIF_OP_INDIRECT}). */
    private void issueIndirect(final BlkfrontRequest request, final int id, final int slot)
    {
        final BlockBuffer data = request.buffer;
        final boolean readOnly = request.operation == BLKIF_OP_WRITE;
        indirect.wrap(buffer, slot).clear().operation(BLKIF_OP_INDIRECT).indirectOperation(request.operation)
            .nrSegments(data.pageCount()).id(id).sectorNumber(request.sector).handle(handle);
        for (int page = 0; page < indirectPages.pagesPerRequest(); page++)
        {
            indirect.indirectGref(page, indirectPages.ref(id, page));
        }
        for (int segment = 0; segment < data.pageCount(); segment++)
        {
            final int ref = grants.grantAccess(backendDomid, data.gfn(segment), readOnly);
            request.grantRefs[segment] = ref;
            request.grantCount = segment + 1;
            // blkif.h: segments fill the indirect pages in order, 512 to a page
            indirectPage.wrap(indirectPages.frame(id, segment / BlkifSegmentDescriptor.SEGMENTS_PER_PAGE), 0)
                .segment(segment % BlkifSegmentDescriptor.SEGMENTS_PER_PAGE, ref, data.firstSector(segment),
                    data.lastSector(segment));
        }
    }

    /** Publishes what was issued; one event to the back end if it asked for one. */
    void publish()
    {
        if (front.unpushedRequests() > 0 && front.pushRequestsAndCheckNotify())
        {
            hypercalls.eventChannel().send(port);
        }
    }

    /**
     * Takes every answered request off the ring (grants ended) into the engine's answered list; call with the
     * grants monitor held, complete them after releasing it.
     *
     * @return responses handled.
     */
    int collect()
    {
        if (faulted)
        {
            return 0;
        }
        try
        {
            int available = front.pollResponses();
            if (available == 0)
            {
                if (responseEventArmed || inFlight() == 0)
                {
                    return 0;
                }
                responseEventArmed = true;
                // ring.h: set rsp_event, full fence, re-read rsp_prod
                if (!front.finalCheckForResponses())
                {
                    return 0;
                }
                available = front.pollResponses();
            }
            responseEventArmed = false;
            for (int i = 0; i < available; i++)
            {
                if (!complete(front.takeResponse()))
                {
                    return i + 1;
                }
            }
            return available;
        }
        catch (final RingOverflowException ex)
        {
            fault(ex);
            return 1;
        }
    }

    private boolean complete(final int offset)
    {
        // the response is read once, field by field, before anything acts on it
        response.wrap(buffer, offset);
        final long id = response.id();
        final int operation = response.operation();
        final int status = response.status();
        // blkfront: the id must be one we issued and have not seen answered, with the operation we sent (for an
        // indirect request back ends answer with either BLKIF_OP_INDIRECT or the indirect_op)
        if (id < 0 || id >= shadow.length || shadow[(int)id] == null ||
            (shadow[(int)id].operation != operation &&
            !(shadow[(int)id].isIndirect() && operation == BLKIF_OP_INDIRECT)))
        {
            fault(new IllegalStateException("back end answered id " + Long.toUnsignedString(id) + " op " +
                operation + " which is not in flight"));
            return false;
        }
        final BlkfrontRequest request = shadow[(int)id];
        shadow[(int)id] = null;
        if (request.persistentId >= 0)
        {
            if (request.operation == BLKIF_OP_READ && status == 0)
            {
                final BlockBuffer data = request.buffer;
                for (int page = 0; page < data.pageCount(); page++)
                {
                    copySegment(data, page, persistentPages.frame((int)id, page), memory.frame(data.gfn(page)));
                }
            }
            request.persistentId = -1;
        }
        freeIds[freeIdCount++] = (int)id;
        endAccess(request);
        request.status = status;
        answered.add(request);
        return true;
    }

    /**
     * Takes every request still in flight off this ring, grants ended, in submission order; the ring is dead
     * afterwards. Call with the grants monitor held.
     */
    List<BlkfrontRequest> detach()
    {
        final List<BlkfrontRequest> unfinished = new ArrayList<>();
        for (int id = 0; id < shadow.length; id++)
        {
            if (shadow[id] != null)
            {
                shadow[id].persistentId = -1;
                endAccess(shadow[id]);
                unfinished.add(shadow[id]);
                shadow[id] = null;
            }
        }
        unfinished.sort((a, b) -> Long.compare(a.sequence, b.sequence));
        faulted = true;
        if (indirectPages != null)
        {
            indirectPages.release(refsStillInUse);
        }
        if (persistentPages != null)
        {
            persistentPages.release(refsStillInUse);
        }
        return unfinished;
    }

    private void endAccess(final BlkfrontRequest request)
    {
        for (int i = 0; i < request.grantCount; i++)
        {
            if (!grants.tryEndAccess(request.grantRefs[i]))
            {
                // the back end still maps it: retried until it lets go
                refsStillInUse.addInt(request.grantRefs[i]);
            }
        }
        request.grantCount = 0;
    }

    private void fault(final RuntimeException ex)
    {
        if (!faulted)
        {
            faulted = true;
            errorHandler.onError(ex);
        }
    }
}
