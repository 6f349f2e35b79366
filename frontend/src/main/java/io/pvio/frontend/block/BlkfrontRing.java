package io.pvio.frontend.block;

import io.pvio.hypervisor.xenbus.DeferredGrantRelease;

import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.guest.GrantRefPool;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.memory.GuestMemory;
import io.pvio.ring.FrontRing;
import io.pvio.ring.RingOverflowException;
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
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;

/**
 * blkfront's data path over one connected ring (the wire is in {@code io.pvio.ring.blkif}, the handshake in
 * {@link BlkfrontXenbus}). Owned by the device's agent thread; no lock on the data path.
 * <ul>
 *   <li>Issue: each request takes a free id (its index in the shadow table, so the ring never holds more requests
 *       than ids), gets a grant for each of its pages, and is written whole into its slot; {@link #publish()}
 *       pushes the batch and kicks the back end once if it asked. Everything that can fail (a page of the caller's
 *       with no frame behind it, granting) happens before the id and the slot are taken, and is undone if it fails:
 *       the request is then not issued, and nothing half-written ever reaches the ring.</li>
 *   <li>Collect: {@code rsp_prod} is validated by the ring; each response's id must name a request we issued and
 *       still have in flight, with the operation we sent (blkfront {@code blkif_interrupt}); anything else is a
 *       hostile back end and faults this ring (logged once). The request's grants are given back before it
 *       completes.</li>
 *   <li>Detach: every request still in flight is handed back, grants given back, to be issued again on the next
 *       ring; the ring's pages and references go back to the guest, those the back end still maps through
 *       {@link DeferredGrantRelease} once it lets go.</li>
 * </ul>
 * Where a request's grants come from (a registered buffer's own, the ring's persistent pages, or the caller's pages
 * granted on references from the ring's {@link GrantRefPool}), and how they are given back:
 * {@link BlkfrontSegmentGrants}.
 * Requests of more than 11 pages use the indirect form when the back end offers it: each id owns its indirect pages
 * ({@link BlkfrontGrantedPages}, granted read-only for the life of the ring, so persistent too) and they are
 * rewritten per request.
 * <p>
 * {@link GrantAccess} itself is shared with the control path and other devices: only the constructor (which claims
 * the indirect pages and reserves its pool) and {@link #detach} use it, with its monitor held.
 */
final class BlkfrontRing
{
    /**
     * A ring without persistent pages reserves at most this fraction (1/n) of the guest's free grant references for
     * its pool, so that the other rings and devices get theirs; but always one largest request's worth if that many
     * are free.
     */
    static final int REF_POOL_SHARE_DIVISOR = 4;

    private final FrontRing front;
    private final AtomicBuffer buffer;
    private final int port;
    private final int handle;
    private final Hypercalls hypercalls;
    private final ErrorHandler errorHandler;
    private final BlkfrontRequest[] shadow;
    private final int[] freeIds;
    private int freeIdCount;
    /** Requests answered in this cycle: completed by the engine once every ring is collected. */
    private final List<BlkfrontRequest> answered;
    private final BlkifRequestFlyweight readWrite = new BlkifRequestFlyweight();
    private final BlkifDiscardRequestFlyweight discard = new BlkifDiscardRequestFlyweight();
    private final BlkifResponseFlyweight response = new BlkifResponseFlyweight();
    private final BlkifIndirectRequestFlyweight indirect = new BlkifIndirectRequestFlyweight();
    private final BlkifIndirectPageFlyweight indirectPage = new BlkifIndirectPageFlyweight();
    private final BlkfrontGrantedPages indirectPages;
    /** What carries each request's data: persistent pages, or per-request grants from the ring's pool. */
    private final BlkfrontSegmentGrants segmentGrants;
    private final int maxSegmentsPerRequest;
    /** Registered buffers need no persistent page or pool reference: only the inline or indirect form bounds them. */
    private final int maxRegisteredSegmentsPerRequest;
    private boolean faulted;

    /**
     * Claims the ring's indirect pages and reserves its grant references: control path, grants monitor held. If it
     * throws (out of memory, or {@code errorHandler} throwing as it is told of a shortfall), what it claimed is given
     * back first, through {@code deferred}, and {@code persistentPages} stay the caller's to release.
     *
     * @param maxIndirectSegments as {@link #maxIndirectSegments}: 0 for none.
     * @param persistentPages     with {@code feature-persistent} negotiated: the pages claimed for this ring before
     *                            it was advertised (for {@code front.size()} ids, and the ring, once built, releases
     *                            them); otherwise {@code null}.
     */
    BlkfrontRing(
        final FrontRing front,
        final int port,
        final int handle,
        final int backendDomid,
        final Hypercalls hypercalls,
        final GrantAccess grants,
        final List<BlkfrontRequest> answered,
        final ErrorHandler errorHandler,
        final GuestMemory memory,
        final int maxIndirectSegments,
        final BlkfrontPersistentPages persistentPages,
        final DeferredGrantRelease deferred)
    {
        if (persistentPages != null && persistentPages.idCount() != front.size())
        {
            throw new IllegalArgumentException("persistent pages for " + persistentPages.idCount() + " ids, ring of " +
                front.size());
        }
        this.front = front;
        this.buffer = front.sharedRing().buffer();
        this.port = port;
        this.handle = handle;
        this.hypercalls = hypercalls;
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
                maxIndirectSegments, errorHandler) : null;
        GrantRefPool pool = null;
        try
        {
            final int segmentsPerRequest =
                segmentsPerRequest(indirectPages == null ? 0 : indirectPages.maxSegments());
            pool = grants.reservePool(persistentPages != null ? 0 :
                refPoolSizeFor(shadow.length, segmentsPerRequest, grants.freeRefCount()));
            this.segmentGrants =
                new BlkfrontSegmentGrants(backendDomid, grants, memory, errorHandler, persistentPages, pool);
            final int dataPages = segmentGrants.dataPageCount();
            if (dataPages < segmentsPerRequest)
            {
                errorHandler.onError(new IllegalStateException("only " + dataPages + " grant references free: " +
                    "requests of more than " + dataPages + " pages are not served on this ring"));
            }
            this.maxSegmentsPerRequest = Math.min(segmentsPerRequest, dataPages);
            this.maxRegisteredSegmentsPerRequest = segmentsPerRequest;
        }
        catch (final Throwable ex)
        {
            giveBackClaimed(grants, pool, deferred, ex);
            throw ex;
        }
    }

    /**
     * A constructor that failed gives back what it claimed (its indirect pages, its pool), each step whatever the
     * other threw; not the persistent pages, which stay the caller's until the ring is built. Grants monitor held.
     */
    private void giveBackClaimed(
        final GrantAccess grants, final GrantRefPool pool, final DeferredGrantRelease deferred, final Throwable cause)
    {
        if (indirectPages != null)
        {
            try
            {
                indirectPages.release(deferred);
            }
            catch (final Throwable releaseFailure)
            {
                suppress(cause, releaseFailure);
            }
        }
        if (pool != null)
        {
            try
            {
                // nothing was granted from it yet: every ref goes straight back
                grants.returnPool(pool, new IntArrayList());
            }
            catch (final Throwable releaseFailure)
            {
                suppress(cause, releaseFailure);
            }
        }
    }

    /** Adds {@code failure} to {@code cause}, if it is another error and there is memory to record it. */
    static void suppress(final Throwable cause, final Throwable failure)
    {
        if (failure != cause)
        {
            try
            {
                cause.addSuppressed(failure);
            }
            catch (final Throwable ignored)
            {
                // out of memory for the list: the first error is the one to report
            }
        }
    }

    /** The most segments per indirect request blkfront uses with a back end that offers {@code features}. */
    static int maxIndirectSegments(final BlkfrontBackendFeatures features)
    {
        return Math.min(features.maxIndirectSegments(), BlkfrontDevice.MAX_INDIRECT_SEGMENTS);
    }

    /**
     * The most pages a request may span with {@code maxIndirectSegments} indirect segments (0: none): 11 inline, or
     * more through indirect pages. What the persistent pages are sized for.
     */
    static int segmentsPerRequest(final int maxIndirectSegments)
    {
        return Math.max(BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST, maxIndirectSegments);
    }

    /**
     * The pool a ring without persistent pages reserves: a grant for every page of every id at the largest request
     * size, bounded by {@link #REF_POOL_SHARE_DIVISOR} of what is free (but one largest request if that many are).
     */
    static int refPoolSizeFor(final int ids, final int maxSegments, final int freeRefs)
    {
        final int share = Math.max(Math.min(maxSegments, freeRefs), freeRefs / REF_POOL_SHARE_DIVISOR);
        return (int)Math.min((long)ids * maxSegments, share);
    }

    /**
     * The most pages one request may span on this ring: 11 inline, more if indirect pages are set up; no more than
     * the ring has persistent pages or grant references for.
     */
    int maxSegmentsPerRequest()
    {
        return maxSegmentsPerRequest;
    }

    /** The most pages one request on registered buffers may span here: 11 inline, more if indirect. */
    int maxRegisteredSegmentsPerRequest()
    {
        return maxRegisteredSegmentsPerRequest;
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

    /** Per-request refs the back end still mapped when their request completed: {@link #retryRevokes()}. */
    int refsToRevoke()
    {
        return segmentGrants.refsToRevoke();
    }

    /**
     * Tries again to revoke the per-request refs the back end still mapped when their request completed; those it
     * let go of can be granted again. No lock.
     *
     * @return refs revoked.
     */
    int retryRevokes()
    {
        return segmentGrants.retryRevokes();
    }

    /**
     * Whether {@code request} can never be issued here by waiting for this ring's completions: nothing is in flight,
     * yet it cannot be issued (too many pages for this ring, or the pool's references all kept by a back end that
     * still maps them, which one that keeps grants mapped never stops doing).
     */
    boolean isStarvedFor(final BlkfrontRequest request)
    {
        return !faulted && inFlight() == 0 && !canIssue(request);
    }

    /**
     * Whether {@code request} can be issued now: a free id and slot, and enough persistent pages or grant references
     * (they come back as requests complete).
     */
    boolean canIssue(final BlkfrontRequest request)
    {
        if (faulted || freeIdCount == 0 || front.isFull())
        {
            return false;
        }
        final int segments = request.segmentCount();
        if (request.registered)
        {
            // its pages are granted already: nothing to claim but the id, the slot and (if indirect) its pages
            return segments <= maxRegisteredSegmentsPerRequest;
        }
        if (segments > maxSegmentsPerRequest)
        {
            return false;
        }
        return segmentGrants.canHold(segments);
    }

    /**
     * Puts {@code request} in the next slot (after {@link #canIssue}); then {@link #publish()}. No lock. A read or
     * write whose buffer names a gfn with no page behind it, or whose pages cannot be granted, is not issued: nothing
     * of it is claimed (no id, slot, persistent page or grant reference) and the caller fails it.
     *
     * @return true if issued; false if not (nothing of it reached the ring).
     */
    boolean issue(final BlkfrontRequest request)
    {
        final BlockBuffer data = request.buffer;
        final int id = freeIds[freeIdCount - 1];
        // registered pages: the refs are in grantRefs already, and the pages stay ours until the buffer is freed
        // through the agent, which takes them out of its table first
        if (data != null && !request.registered &&
            (!segmentGrants.isPopulated(data) || !segmentGrants.grantSegments(request, id)))
        {
            return false;
        }
        // nothing fails from here on: the id and slot are taken and the slot written whole
        freeIdCount--;
        shadow[id] = request;
        final int slot = front.claimRequest();
        switch (request.operation)
        {
            case BLKIF_OP_READ, BLKIF_OP_WRITE ->
            {
                if (request.isIndirect())
                {
                    writeIndirect(request, id, slot);
                }
                else
                {
                    writeInline(request, id, slot);
                }
            }
            case BLKIF_OP_FLUSH_DISKCACHE ->
                readWrite.wrap(buffer, slot).clear().header(BLKIF_OP_FLUSH_DISKCACHE, 0, handle).id(id);
            case BLKIF_OP_DISCARD -> discard.wrap(buffer, slot).clear().operation(BLKIF_OP_DISCARD).flag(0)
                .handle(handle).id(id).sectorNumber(request.sector).nrSectors(request.discardSectors);
            default -> throw new IllegalStateException("not an operation blkfront issues: " + request.operation);
        }
        return true;
    }

    /** A read or write of up to 11 segments, written whole into its slot. */
    private void writeInline(final BlkfrontRequest request, final int id, final int slot)
    {
        final BlockBuffer data = request.buffer;
        readWrite.wrap(buffer, slot).header(request.operation, data.pageCount(), handle).id(id)
            .sectorNumber(request.sector);
        for (int page = 0; page < data.pageCount(); page++)
        {
            readWrite.segment(page, request.grantRefs[page], data.firstSector(page), data.lastSector(page));
        }
    }

    /** A read or write whose segments go into this id's indirect pages (blkif.h {@code BLKIF_OP_INDIRECT}). */
    private void writeIndirect(final BlkfrontRequest request, final int id, final int slot)
    {
        final BlockBuffer data = request.buffer;
        indirect.wrap(buffer, slot).clear().operation(BLKIF_OP_INDIRECT).indirectOperation(request.operation)
            .nrSegments(data.pageCount()).id(id).sectorNumber(request.sector).handle(handle);
        for (int page = 0; page < indirectPages.pagesPerRequest(); page++)
        {
            indirect.indirectGref(page, indirectPages.ref(id, page));
        }
        for (int segment = 0; segment < data.pageCount(); segment++)
        {
            // blkif.h: segments fill the indirect pages in order, 512 to a page. An id reissued for the same buffer
            // (free ids are a stack: the one just freed is the next taken) finds its page as it was, so nothing is
            // stored and the page's lines stay in blkback's CPU's cache
            indirectPage.wrap(indirectPages.frame(id, segment / BlkifSegmentDescriptor.SEGMENTS_PER_PAGE), 0)
                .segmentIfChanged(segment % BlkifSegmentDescriptor.SEGMENTS_PER_PAGE, request.grantRefs[segment],
                    data.firstSector(segment), data.lastSector(segment));
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
     * Takes every answered request off the ring (grants given back) into the engine's answered list, to complete
     * once every ring is collected. No lock.
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
            // no event is armed here: the agent polls while it spins, and arms only before it parks
            // (armResponseEvent, through the engine's park guard)
            final int available = front.pollResponses();
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

    /**
     * Before the agent parks: if requests are in flight, asks for an event once half of them are answered (at least
     * one; ring.h's final check: set {@code rsp_event}, full fence, re-read {@code rsp_prod}), so a parked front end
     * is woken once per several responses while the back end still works on the other half, and a single request
     * still wakes it at once.
     *
     * @return true if responses are waiting already (do not park).
     */
    boolean armResponseEvent()
    {
        if (faulted || inFlight() == 0)
        {
            return false;
        }
        try
        {
            return front.finalCheckForResponses((inFlight() + 1) / 2);
        }
        catch (final RingOverflowException ex)
        {
            fault(ex);
            return true; // the engine drops the faulted ring in its next duty cycle
        }
    }

    private boolean complete(final int offset)
    {
        // the response is read once, field by field, before anything acts on it
        response.wrap(buffer, offset);
        final long id = response.id();
        final int operation = response.operation();
        int status = response.status();
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
        if (request.persistentId >= 0 && request.operation == BLKIF_OP_READ && status == BLKIF_RSP_OKAY)
        {
            status = segmentGrants.copyOut(request);
        }
        freeIds[freeIdCount++] = (int)id;
        segmentGrants.releaseSegments(request);
        request.status = status;
        answered.add(request);
        return true;
    }

    /**
     * Takes every request still in flight off this ring, grants given back, in submission order; the ring is dead
     * afterwards. Its pages and grant references go back to the guest: those the back end still maps are left
     * granted and handed to {@code deferred}, which ends them (and gives back the pages that are ours) once it lets
     * go. Control path: call with the grants monitor held.
     */
    List<BlkfrontRequest> detach(final DeferredGrantRelease deferred)
    {
        final List<BlkfrontRequest> unfinished = new ArrayList<>();
        for (int id = 0; id < shadow.length; id++)
        {
            if (shadow[id] != null)
            {
                segmentGrants.releaseSegments(shadow[id]);
                unfinished.add(shadow[id]);
                shadow[id] = null;
            }
        }
        unfinished.sort((a, b) -> Long.compare(a.sequence, b.sequence));
        faulted = true;
        if (indirectPages != null)
        {
            indirectPages.release(deferred);
        }
        segmentGrants.release(deferred);
        return unfinished;
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
