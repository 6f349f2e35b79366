package io.pvio.frontend.block;

import io.pvio.hypervisor.xenbus.DeferredGrantRelease;

import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.memory.GuestMemory;
import io.pvio.ring.blkif.BlkifIndirectRequestDescriptor;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AtomicBuffer;

/**
 * Pages of one ring granted to the back end for as long as the ring lives. Two uses:
 * <ul>
 *   <li>indirect pages: read-only, {@link #pagesPerRequest()} for each request id (enough for {@code maxSegments}
 *       segments); the front end rewrites an id's pages only while the id is free;</li>
 *   <li>persistent data pages ({@code feature-persistent}): writable, handed out to requests by
 *       {@link BlkfrontPersistentPages}.</li>
 * </ul>
 * Claimed with {@link #claimIndirect} or {@link #claimPersistent} and given back with {@link #release} (pages the
 * back end still maps through {@link DeferredGrantRelease}), on the control path with the grants monitor held; in
 * between the data path only reads the refs and frames, which never change.
 */
final class BlkfrontGrantedPages
{
    private final Hypercalls hypercalls;
    private final GrantAccess grants;
    private final int pagesPerRequest;
    private final int maxSegments;
    private final long[] gfns;
    private final int[] refs;
    private final AtomicBuffer[] frames;
    private int granted;

    private BlkfrontGrantedPages(
        final Hypercalls hypercalls, final GrantAccess grants, final int ids, final int maxSegments,
        final int pagesPerRequest)
    {
        this.hypercalls = hypercalls;
        this.grants = grants;
        this.maxSegments = maxSegments;
        this.pagesPerRequest = pagesPerRequest;
        this.gfns = new long[ids * pagesPerRequest];
        this.refs = new int[gfns.length];
        this.frames = new AtomicBuffer[gfns.length];
    }

    /** Read-only indirect pages for requests of up to {@code maxSegments} segments; {@code null} as {@link #claim}. */
    static BlkfrontGrantedPages claimIndirect(
        final Hypercalls hypercalls,
        final GuestMemory memory,
        final GrantAccess grants,
        final int backendDomid,
        final int ids,
        final int maxSegments,
        final ErrorHandler errorHandler)
    {
        return claim(hypercalls, memory, grants, backendDomid, ids, maxSegments,
            BlkifIndirectRequestDescriptor.indirectPageCount(maxSegments), true, errorHandler);
    }

    /**
     * {@code pageCount} writable pages to be reused for data segments ({@code feature-persistent}), addressed by
     * {@link #ref(int)} and {@link #frame(int)}; {@code null} as {@link #claim}.
     */
    static BlkfrontGrantedPages claimPersistent(
        final Hypercalls hypercalls,
        final GuestMemory memory,
        final GrantAccess grants,
        final int backendDomid,
        final int pageCount,
        final ErrorHandler errorHandler)
    {
        return claim(hypercalls, memory, grants, backendDomid, pageCount, 1, 1, false, errorHandler);
    }

    /**
     * @return the pages, or {@code null} if the guest has no memory or grant references for them (logged): a ring
     * then goes without indirect requests, a device without {@code feature-persistent}.
     */
    private static BlkfrontGrantedPages claim(
        final Hypercalls hypercalls,
        final GuestMemory memory,
        final GrantAccess grants,
        final int backendDomid,
        final int ids,
        final int maxSegments,
        final int pagesPerRequest,
        final boolean readOnly,
        final ErrorHandler errorHandler)
    {
        final BlkfrontGrantedPages pages =
            new BlkfrontGrantedPages(hypercalls, grants, ids, maxSegments, pagesPerRequest);
        final int added;
        try
        {
            added = hypercalls.memory().increaseReservation(DomainId.SELF, pages.gfns.length, pages.gfns);
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
            return null;
        }
        if (added != pages.gfns.length || grants.freeRefCount() < added)
        {
            hypercalls.memory().decreaseReservation(DomainId.SELF, pages.gfns, added);
            errorHandler.onError(new IllegalStateException("no room for " + pages.gfns.length +
                " pages granted for the ring's life: going without"));
            return null;
        }
        try
        {
            // the views first: they are the loop's only allocation, so running out of memory here leaves nothing
            // granted, only the pages to give back
            for (int i = 0; i < pages.gfns.length; i++)
            {
                pages.frames[i] = memory.frame(pages.gfns[i]);
            }
        }
        catch (final RuntimeException | Error ex)
        {
            try
            {
                hypercalls.memory().decreaseReservation(DomainId.SELF, pages.gfns, added);
            }
            catch (final RuntimeException undo)
            {
                ex.addSuppressed(undo);
            }
            throw ex;
        }
        // cannot fail: every page is ours and there are refs enough (checked above, under the grants monitor)
        for (int i = 0; i < pages.gfns.length; i++)
        {
            pages.refs[i] = grants.grantAccess(backendDomid, pages.gfns[i], readOnly);
            pages.granted = i + 1;
        }
        return pages;
    }

    int maxSegments()
    {
        return maxSegments;
    }

    int pagesPerRequest()
    {
        return pagesPerRequest;
    }

    /** Pages held in all. */
    int pageCount()
    {
        return refs.length;
    }

    /** The ref of page {@code page} of request id {@code id}'s share. */
    int ref(final int id, final int page)
    {
        return refs[id * pagesPerRequest + page];
    }

    AtomicBuffer frame(final int id, final int page)
    {
        return frames[id * pagesPerRequest + page];
    }

    /** The ref of page {@code index} of all the pages, {@code index < pageCount()}. */
    int ref(final int index)
    {
        return refs[index];
    }

    AtomicBuffer frame(final int index)
    {
        return frames[index];
    }

    /**
     * Ends access to every page and returns its memory; a page the back end still maps is left granted and handed,
     * ref and page, to {@code deferred}, which ends the grant and returns the page once the back end lets go.
     * Grants monitor held.
     */
    void release(final DeferredGrantRelease deferred)
    {
        final int count = granted;
        granted = 0;
        endAccessAndFree(hypercalls, grants, deferred, refs, gfns, count);
    }

    /**
     * Ends the grants {@code refs[0 .. count)} of our pages {@code gfns[0 .. count)} and returns those pages to the
     * hypervisor; a grant the back end still maps is handed, ref and page, to {@code deferred}, which ends it and
     * returns the page once the back end lets go. Grants monitor held.
     */
    static void endAccessAndFree(
        final Hypercalls hypercalls,
        final GrantAccess grants,
        final DeferredGrantRelease deferred,
        final int[] refs,
        final long[] gfns,
        final int count)
    {
        final long[] freed = new long[count];
        int freedCount = 0;
        for (int i = 0; i < count; i++)
        {
            if (grants.tryEndAccess(refs[i]))
            {
                freed[freedCount++] = gfns[i];
            }
            else
            {
                deferred.deferGrant(refs[i], gfns[i]);
            }
        }
        if (freedCount > 0)
        {
            hypercalls.memory().decreaseReservation(DomainId.SELF, freed, freedCount);
        }
    }
}
