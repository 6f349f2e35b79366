package io.pvio.frontend.block;

import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.guest.GrantRefPool;
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
 * {@link BlkfrontXenbus}). Owned by the device's agent thread; no lock on the data path.
 * <ul>
 *   <li>Issue: each request takes a free id (its index in the shadow table, so the ring never holds more requests
 *       than ids), gets a grant for each of its pages, and is written whole into its slot; {@link #publish()}
 *       pushes the batch and kicks the back end once if it asked.</li>
 *   <li>Collect: {@code rsp_prod} is validated by the ring; each response's id must name a request we issued and
 *       still have in flight, with the operation we sent (blkfront {@code blkif_interrupt}); anything else is a
 *       hostile back end and faults this ring (logged once). The request's grants are given back before it
 *       completes.</li>
 *   <li>Detach: every request still in flight is handed back, grants given back, to be issued again on the next
 *       ring; the ring's pages and references go back to the guest.</li>
 * </ul>
 * Where a request's grants come from:
 * <ul>
 *   <li>with {@code feature-persistent}: from the ring's persistent pages ({@link BlkfrontPersistentPages}), for
 *       inline and indirect requests alike; the data is copied in (write) or out (read). Nothing is granted or
 *       revoked per request.</li>
 *   <li>otherwise: the caller's own pages are granted (writable for a read, read-only for a write) on references
 *       claimed from the ring's {@link GrantRefPool}, reserved from {@link GrantAccess} when the ring is set up,
 *       and revoked on completion. A reference the back end still maps then is kept back by the pool until it can
 *       be revoked, never handed out again before.</li>
 * </ul>
 * Requests of more than 11 pages use the indirect form when the back end offers it: each id owns its indirect pages
 * ({@link BlkfrontGrantedPages}, granted read-only for the life of the ring, so persistent too) and they are
 * rewritten per request.
 * <p>
 * {@link GrantAccess} itself is shared with the control path and other devices: only the constructor (which claims
 * the ring's pages and reserves its pool) and {@link #detach()} use it, with its monitor held.
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
    private final int backendDomid;
    private final Hypercalls hypercalls;
    private final GrantAccess grants;
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
    /** With {@code feature-persistent}: the pages every data segment goes through; else {@code null}. */
    private final BlkfrontPersistentPages persistentPages;
    /** References for per-request grants of the callers' pages; empty when persistent pages carry the data. */
    private final GrantRefPool refPool;
    private final int maxSegmentsPerRequest;
    private final GuestMemory memory;
    private boolean responseEventArmed;
    private boolean faulted;

    /** Claims the ring's pages and reserves its grant references: control path, grants monitor held. */
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
        final int segmentsPerRequest = indirectPages == null ? BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST :
            Math.max(BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST, indirectPages.maxSegments());
        this.persistentPages = persistent ? BlkfrontPersistentPages.claim(hypercalls, memory, grants, backendDomid,
            shadow.length, segmentsPerRequest, errorHandler) : null;
        this.refPool = grants.reservePool(persistentPages != null ? 0 :
            refPoolSizeFor(shadow.length, segmentsPerRequest, grants.freeRefCount()));
        final int dataPages = persistentPages != null ? persistentPages.pageCount() : refPool.capacity();
        if (dataPages < segmentsPerRequest)
        {
            errorHandler.onError(new IllegalStateException("only " + dataPages + " grant references free: " +
                "requests of more than " + dataPages + " pages are not served on this ring"));
        }
        this.maxSegmentsPerRequest = Math.min(segmentsPerRequest, dataPages);
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

    /** Per-request refs the back end still mapped when their request completed: {@link #collect()} retries them. */
    int refsToRevoke()
    {
        return refPool.revokingCount();
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
        if (segments > maxSegmentsPerRequest)
        {
            return false;
        }
        return persistentPages != null ? persistentPages.canHold(segments) : refPool.availableCount() >= segments;
    }

    /** Puts {@code request} in the next slot (after {@link #canIssue}); then {@link #publish()}. No lock. */
    void issue(final BlkfrontRequest request)
    {
        final int id = freeIds[--freeIdCount];
        shadow[id] = request;
        final int slot = front.claimRequest();
        switch (request.operation)
        {
            case BLKIF_OP_READ, BLKIF_OP_WRITE ->
            {
                if (persistentPages != null)
                {
                    persistentPages.assign(id, request.segmentCount());
                    request.persistentId = id;
                }
                if (request.isIndirect())
                {
                    issueIndirect(request, id, slot);
                }
                else
                {
                    issueInline(request, id, slot);
                }
            }
            case BLKIF_OP_FLUSH_DISKCACHE ->
                readWrite.wrap(buffer, slot).clear().header(BLKIF_OP_FLUSH_DISKCACHE, 0, handle).id(id);
            case BLKIF_OP_DISCARD -> discard.wrap(buffer, slot).clear().operation(BLKIF_OP_DISCARD).flag(0)
                .handle(handle).id(id).sectorNumber(request.sector).nrSectors(request.discardSectors);
            default -> throw new IllegalStateException("not an operation blkfront issues: " + request.operation);
        }
    }

    /** A read or write of up to 11 segments, written whole into its slot. */
    private void issueInline(final BlkfrontRequest request, final int id, final int slot)
    {
        final BlockBuffer data = request.buffer;
        readWrite.wrap(buffer, slot).header(request.operation, data.pageCount(), handle).id(id)
            .sectorNumber(request.sector);
        int persistentPage = firstPersistentPage(request, id);
        for (int page = 0; page < data.pageCount(); page++)
        {
            readWrite.segment(page, grantSegment(request, page, persistentPage), data.firstSector(page),
                data.lastSector(page));
            persistentPage = nextPersistentPage(persistentPage);
        }
    }

    /** A read or write whose segments go into this id's indirect pages (blkif.h {@code BLKIF_OP_INDIRECT}). */
    private void issueIndirect(final BlkfrontRequest request, final int id, final int slot)
    {
        final BlockBuffer data = request.buffer;
        indirect.wrap(buffer, slot).clear().operation(BLKIF_OP_INDIRECT).indirectOperation(request.operation)
            .nrSegments(data.pageCount()).id(id).sectorNumber(request.sector).handle(handle);
        for (int page = 0; page < indirectPages.pagesPerRequest(); page++)
        {
            indirect.indirectGref(page, indirectPages.ref(id, page));
        }
        int persistentPage = firstPersistentPage(request, id);
        for (int segment = 0; segment < data.pageCount(); segment++)
        {
            // blkif.h: segments fill the indirect pages in order, 512 to a page
            indirectPage.wrap(indirectPages.frame(id, segment / BlkifSegmentDescriptor.SEGMENTS_PER_PAGE), 0)
                .segment(segment % BlkifSegmentDescriptor.SEGMENTS_PER_PAGE,
                    grantSegment(request, segment, persistentPage), data.firstSector(segment),
                    data.lastSector(segment));
            persistentPage = nextPersistentPage(persistentPage);
        }
    }

    /** The persistent page of the request's first segment, or {@code NO_PAGE} if it grants per request. */
    private int firstPersistentPage(final BlkfrontRequest request, final int id)
    {
        return request.persistentId >= 0 ? persistentPages.firstPage(id) : BlkfrontPersistentPages.NO_PAGE;
    }

    private int nextPersistentPage(final int page)
    {
        return page == BlkfrontPersistentPages.NO_PAGE ? page : persistentPages.nextPage(page);
    }

    /**
     * The grant reference the back end reaches segment {@code segment}'s page by: its persistent page
     * {@code persistentPage} (a write's data copied into it first), or else the caller's page granted on a reference
     * from the pool.
     */
    private int grantSegment(final BlkfrontRequest request, final int segment, final int persistentPage)
    {
        final BlockBuffer data = request.buffer;
        if (persistentPage != BlkfrontPersistentPages.NO_PAGE)
        {
            if (request.operation == BLKIF_OP_WRITE)
            {
                // plain stores: the back end sees them after req_prod, which publish() stores with release
                copySegment(data, segment, memory.frame(data.gfn(segment)), persistentPages.frame(persistentPage));
            }
            return persistentPages.ref(persistentPage);
        }
        // the back end writes into our pages for a read, only reads them for a write
        final int ref = refPool.claimAccess(backendDomid, data.gfn(segment), request.operation == BLKIF_OP_WRITE);
        if (ref == GrantRefPool.NO_REF)
        {
            throw new IllegalStateException("issued without grant references: canIssue was not asked");
        }
        request.grantRefs[segment] = ref;
        request.grantCount = segment + 1;
        return ref;
    }

    private static void copySegment(
        final BlockBuffer data, final int page, final AtomicBuffer from, final AtomicBuffer to)
    {
        final int offset = data.firstSector(page) * BlkifConstants.SECTOR_SIZE_BYTES;
        final int length = (data.lastSector(page) + 1) * BlkifConstants.SECTOR_SIZE_BYTES - offset;
        to.putBytes(offset, from, offset, length);
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
     * once every ring is collected; retries revoking the references the back end held on to. No lock.
     *
     * @return responses handled and references revoked.
     */
    int collect()
    {
        if (faulted)
        {
            return 0;
        }
        final int revoked = refPool.revokingCount() > 0 ? refPool.retryRevokes() : 0;
        try
        {
            int available = front.pollResponses();
            if (available == 0)
            {
                if (responseEventArmed || inFlight() == 0)
                {
                    return revoked;
                }
                responseEventArmed = true;
                // ring.h: set rsp_event, full fence, re-read rsp_prod
                if (!front.finalCheckForResponses())
                {
                    return revoked;
                }
                available = front.pollResponses();
            }
            responseEventArmed = false;
            for (int i = 0; i < available; i++)
            {
                if (!complete(front.takeResponse()))
                {
                    return revoked + i + 1;
                }
            }
            return revoked + available;
        }
        catch (final RingOverflowException ex)
        {
            fault(ex);
            return revoked + 1;
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
                // plain loads: the back end's writes came before rsp_prod, which the ring read with acquire
                final BlockBuffer data = request.buffer;
                int persistentPage = persistentPages.firstPage((int)id);
                for (int page = 0; page < data.pageCount(); page++)
                {
                    copySegment(data, page, persistentPages.frame(persistentPage), memory.frame(data.gfn(page)));
                    persistentPage = persistentPages.nextPage(persistentPage);
                }
            }
            persistentPages.unassign((int)id);
            request.persistentId = -1;
        }
        freeIds[freeIdCount++] = (int)id;
        endAccess(request);
        request.status = status;
        answered.add(request);
        return true;
    }

    /**
     * Takes every request still in flight off this ring, grants given back, in submission order; the ring is dead
     * afterwards. Its pages and grant references go back to the guest: those the back end still maps are left
     * granted and their refs appended to {@code refsStillInUse}, to be ended once it lets go. Control path: call
     * with the grants monitor held.
     */
    List<BlkfrontRequest> detach(final IntArrayList refsStillInUse)
    {
        final List<BlkfrontRequest> unfinished = new ArrayList<>();
        for (int id = 0; id < shadow.length; id++)
        {
            if (shadow[id] != null)
            {
                if (shadow[id].persistentId >= 0)
                {
                    persistentPages.unassign(id);
                    shadow[id].persistentId = -1;
                }
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
        grants.returnPool(refPool, refsStillInUse);
        return unfinished;
    }

    /** Revokes the request's per-request grants; the pool keeps back any the back end still maps. */
    private void endAccess(final BlkfrontRequest request)
    {
        for (int i = 0; i < request.grantCount; i++)
        {
            refPool.releaseAccess(request.grantRefs[i]);
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
