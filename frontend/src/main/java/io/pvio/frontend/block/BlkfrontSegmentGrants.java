package io.pvio.frontend.block;

import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.guest.GrantRefPool;
import io.pvio.hypervisor.memory.GuestMemory;
import io.pvio.hypervisor.memory.MemoryFaultException;
import io.pvio.hypervisor.xenbus.DeferredGrantRelease;
import io.pvio.ring.blkif.BlkifConstants;
import org.agrona.ErrorHandler;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_WRITE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_ERROR;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;

/**
 * The grants a {@link BlkfrontRing}'s requests carry their data on: granting a request's segments before it is
 * issued, copying through persistent pages, and giving them back (revoking per-request grants) when it leaves the
 * ring. Owned by the ring, so by the device's agent thread; no lock on the data path.
 * <p>
 * Where a request's grants come from:
 * <ul>
 *   <li>a buffer of registered pages ({@link BlkfrontDevice#allocateBuffer}, {@link BlkfrontRegisteredPages}): their
 *       own grants, made when the buffer was allocated; no copy, nothing claimed or revoked per request. The back end
 *       (keeping them mapped with {@code feature-persistent}) moves the data straight between them and its disk.
 *       The ring issues those as they are: nothing here.</li>
 *   <li>with {@code feature-persistent}: from the ring's persistent pages ({@link BlkfrontPersistentPages}, claimed
 *       before the feature was advertised, so a persistent connection always has them), for inline and indirect
 *       requests alike; the data is copied in (write) or out (read). Nothing is granted or revoked per request.</li>
 *   <li>otherwise: the caller's own pages are granted (writable for a read, read-only for a write) on references
 *       claimed from the ring's {@link GrantRefPool}, reserved from {@link GrantAccess} when the ring is set up,
 *       and revoked on completion. A reference the back end still maps then is kept back by the pool until it can
 *       be revoked, never handed out again before. Should the back end keep them all with nothing in flight
 *       ({@link BlkfrontRing#isStarvedFor}), the device fails what cannot be issued rather than wait for ever.</li>
 * </ul>
 * {@link GrantAccess} itself is shared with the control path and other devices: only {@link #release} uses it, with
 * its monitor held.
 */
final class BlkfrontSegmentGrants
{
    private final int backendDomid;
    private final GrantAccess grants;
    private final GuestMemory memory;
    private final ErrorHandler errorHandler;
    /** With {@code feature-persistent}: the pages every data segment goes through; else {@code null}. */
    private final BlkfrontPersistentPages persistentPages;
    /** References for per-request grants of the callers' pages; empty when persistent pages carry the data. */
    private final GrantRefPool refPool;

    /**
     * @param persistentPages with {@code feature-persistent} negotiated: the ring's persistent pages (released by
     *                        {@link #release}); otherwise {@code null}.
     * @param refPool         the pool the ring reserved from {@code grants} (empty with persistent pages), given back
     *                        by {@link #release}.
     */
    BlkfrontSegmentGrants(
        final int backendDomid,
        final GrantAccess grants,
        final GuestMemory memory,
        final ErrorHandler errorHandler,
        final BlkfrontPersistentPages persistentPages,
        final GrantRefPool refPool)
    {
        this.backendDomid = backendDomid;
        this.grants = grants;
        this.memory = memory;
        this.errorHandler = errorHandler;
        this.persistentPages = persistentPages;
        this.refPool = refPool;
    }

    /** The most pages the requests in flight can have at once: persistent pages, or the pool's references. */
    int dataPageCount()
    {
        return persistentPages != null ? persistentPages.pageCount() : refPool.capacity();
    }

    /** Whether a request of {@code segments} pages finds enough persistent pages or grant references free now. */
    boolean canHold(final int segments)
    {
        return persistentPages != null ? persistentPages.canHold(segments) : refPool.availableCount() >= segments;
    }

    /** Per-request refs the back end still mapped when their request completed: {@link #retryRevokes()}. */
    int refsToRevoke()
    {
        return refPool.isReturned() ? 0 : refPool.revokingCount();
    }

    /**
     * Tries again to revoke the per-request refs the back end still mapped when their request completed; those it
     * let go of can be granted again. No lock.
     *
     * @return refs revoked.
     */
    int retryRevokes()
    {
        return refsToRevoke() > 0 ? refPool.retryRevokes() : 0;
    }

    /** Whether every page {@code data} names has a frame behind it (the caller may have given one back). */
    boolean isPopulated(final BlockBuffer data)
    {
        for (int page = 0; page < data.pageCount(); page++)
        {
            if (!memory.isPopulated(data.gfn(page)))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Puts in {@code request.grantRefs} the reference the back end reaches each segment's page by, for request id
     * {@code id} (not yet taken): a persistent page of the id's (a write's data copied into it), or else the
     * caller's page granted on a reference from the pool. Undone if anything fails.
     *
     * @return true if every segment has its reference; false if not (nothing held, failure logged).
     */
    boolean grantSegments(final BlkfrontRequest request, final int id)
    {
        final BlockBuffer data = request.buffer;
        try
        {
            if (persistentPages != null)
            {
                persistentPages.assign(id, data.pageCount());
                request.persistentId = id;
                int page = persistentPages.firstPage(id);
                for (int segment = 0; segment < data.pageCount(); segment++)
                {
                    if (request.operation == BLKIF_OP_WRITE)
                    {
                        // plain stores: the back end sees them after req_prod, which publish() stores with release
                        copySegment(data, segment, memory.frame(data.gfn(segment)), persistentPages.frame(page));
                    }
                    request.grantRefs[segment] = persistentPages.ref(page);
                    page = persistentPages.nextPage(page);
                }
                return true;
            }
            for (int segment = 0; segment < data.pageCount(); segment++)
            {
                // the back end writes into our pages for a read, only reads them for a write
                final int ref = refPool.claimAccess(
                    backendDomid, data.gfn(segment), request.operation == BLKIF_OP_WRITE);
                if (ref == GrantRefPool.NO_REF)
                {
                    throw new IllegalStateException("issued without grant references: canIssue was not asked");
                }
                request.grantRefs[segment] = ref;
                request.grantCount = segment + 1;
            }
            return true;
        }
        catch (final RuntimeException ex)
        {
            // e.g. the caller gave a page back after it was checked: nothing of the request stays claimed
            releaseSegments(request);
            errorHandler.onError(ex);
            return false;
        }
    }

    private static void copySegment(
        final BlockBuffer data, final int page, final AtomicBuffer from, final AtomicBuffer to)
    {
        final int offset = data.firstSector(page) * BlkifConstants.SECTOR_SIZE_BYTES;
        final int length = (data.lastSector(page) + 1) * BlkifConstants.SECTOR_SIZE_BYTES - offset;
        to.putBytes(offset, from, offset, length);
    }

    /**
     * A read's data, from its persistent pages into the caller's: plain loads, the back end's writes came before
     * {@code rsp_prod}, which the ring read with acquire.
     *
     * @return {@code BLKIF_RSP_OKAY}, or {@code BLKIF_RSP_ERROR} if the caller gave a page back meanwhile.
     */
    int copyOut(final BlkfrontRequest request)
    {
        final BlockBuffer data = request.buffer;
        int persistentPage = persistentPages.firstPage(request.persistentId);
        try
        {
            for (int page = 0; page < data.pageCount(); page++)
            {
                copySegment(data, page, persistentPages.frame(persistentPage), memory.frame(data.gfn(page)));
                persistentPage = persistentPages.nextPage(persistentPage);
            }
            return BLKIF_RSP_OKAY;
        }
        catch (final MemoryFaultException ex)
        {
            return BLKIF_RSP_ERROR;
        }
    }

    /**
     * Gives back what carried the request's data: its persistent pages, or its per-request grants (revoked; the
     * pool keeps back any the back end still maps).
     */
    void releaseSegments(final BlkfrontRequest request)
    {
        if (request.persistentId >= 0)
        {
            persistentPages.unassign(request.persistentId);
            request.persistentId = -1;
        }
        for (int i = 0; i < request.grantCount; i++)
        {
            refPool.releaseAccess(request.grantRefs[i]);
        }
        request.grantCount = 0;
    }

    /**
     * The ring is detached: its persistent pages and its pool's references go back to the guest; those the back end
     * still maps are left granted and handed to {@code deferred}, which ends them once it lets go. Control path:
     * call with the grants monitor held, after every request's segments were released.
     */
    void release(final DeferredGrantRelease deferred)
    {
        if (persistentPages != null)
        {
            persistentPages.release(deferred);
        }
        final IntArrayList stillInUse = new IntArrayList();
        grants.returnPool(refPool, stillInUse);
        for (int i = 0; i < stillInUse.size(); i++)
        {
            // a caller's page: the grant is ended once the back end lets go, the page is not ours to give back
            deferred.deferGrant(stillInUse.getInt(i), DeferredGrantRelease.NO_GFN);
        }
    }
}
