package io.pvio.frontend.block;

import io.pvio.hypervisor.xenbus.DeferredGrantRelease;

import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.memory.GuestMemory;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AtomicBuffer;

import java.util.Arrays;

/**
 * One ring's persistent grants ({@code feature-persistent}, as Linux blkfront keeps {@code rinfo->grants}): writable
 * pages granted once for the ring's life, which the back end may keep mapped. Every data segment of every read or
 * write on the ring, inline or indirect, goes through one of them: a write's data is copied in before the request is
 * issued, a read's copied out when it completes. Once both ends agreed on persistent grants no other page is granted
 * for data, so the back end never keeps a mapping of a page the caller reuses, and no grant made per request can get
 * stuck mapped.
 * <p>
 * <b>Bounded.</b> The pages are shared by the ring's request ids (as Linux shares {@code rinfo->grants}):
 * {@link #assign} takes as many as the request has segments off a free stack, chained in segment order, and
 * {@link #unassign} puts them back when it completes. The ring holds {@link #pageCountFor} pages: enough for every id
 * at the largest request size if that is at most {@link #MAX_PAGES_PER_RING}, else {@code MAX_PAGES_PER_RING} (and
 * only one largest request's worth if the guest is short of memory or grant references). A request that does not
 * fit what is free waits ({@link #canHold}) for completions to give pages back; never for ever, since a largest
 * request fits a ring with nothing in flight. With a one-page ring (32 ids), 11 inline segments and 64-segment
 * indirect requests that is 512 pages (2 MiB) instead of 2048; with the indirect pages (one per id) it stays within
 * blkback's bound of kept mappings per ring, so the back end keeps every one mapped. More ids (larger rings) mean
 * more requests in flight, not more persistent pages.
 * <p>
 * <b>Claimed before {@code feature-persistent} is advertised.</b> {@link BlkfrontXenbus} claims every queue's pages
 * before it publishes the rings and writes {@code feature-persistent=1} only if every queue got them, so a connection
 * that negotiated persistent grants always has them: a back end that negotiated them keeps every grant it is given
 * mapped, and per-request grants of callers' pages would then never come back.
 * <p>
 * Claimed and released on the control path with the grants monitor held; {@link #assign}, {@link #unassign} and the
 * page accessors belong to the ring's data path (the device's agent thread), lock-free and
 * allocation-free.
 */
final class BlkfrontPersistentPages
{
    /** The most persistent pages one ring holds: 2 MiB, half of blkback's bound on kept mappings per ring. */
    static final int MAX_PAGES_PER_RING = 512;

    /** {@link #nextPage} of the last page of a chain. */
    static final int NO_PAGE = -1;

    private final BlkfrontGrantedPages pages;
    private final int maxSegments;
    private final int[] freePages;
    private int freeCount;
    /** Each id's pages are chained in segment order: the first here ({@link #NO_PAGE} when it holds none)... */
    private final int[] firstPageById;
    /** ...and each page's successor here. */
    private final int[] nextPageByPage;

    private BlkfrontPersistentPages(final BlkfrontGrantedPages pages, final int ids, final int maxSegments)
    {
        this.pages = pages;
        this.maxSegments = maxSegments;
        this.freePages = new int[pages.pageCount()];
        for (int page = pages.pageCount() - 1; page >= 0; page--)
        {
            freePages[freeCount++] = page;
        }
        this.nextPageByPage = new int[pages.pageCount()];
        this.firstPageById = new int[ids];
        Arrays.fill(firstPageById, NO_PAGE);
    }

    /**
     * Persistent pages for a ring of {@code ids} request ids whose requests carry at most {@code maxSegments}
     * segments: {@code min(ids * maxSegments, max(maxSegments, MAX_PAGES_PER_RING))}.
     */
    static int pageCountFor(final int ids, final int maxSegments)
    {
        return (int)Math.min((long)ids * maxSegments, Math.max(maxSegments, MAX_PAGES_PER_RING));
    }

    /**
     * Grants {@link #pageCountFor}{@code (ids, maxSegments)} writable pages to the back end or, if the guest is short
     * of memory or grant references, one largest request's worth ({@code maxSegments}: fewer requests in flight).
     * Grants monitor held.
     *
     * @return the pages, or {@code null} if the guest cannot spare even that many (logged): then blkfront does not
     * advertise {@code feature-persistent} ({@link BlkfrontXenbus}) and the ring grants the callers' pages per
     * request, which a back end that did not negotiate persistent grants does not keep mapped.
     */
    static BlkfrontPersistentPages claim(
        final Hypercalls hypercalls,
        final GuestMemory memory,
        final GrantAccess grants,
        final int backendDomid,
        final int ids,
        final int maxSegments,
        final ErrorHandler errorHandler)
    {
        final int wanted = pageCountFor(ids, maxSegments);
        BlkfrontGrantedPages pages = null;
        if (wanted > maxSegments)
        {
            // short of memory or refs: not an error yet, the smaller claim below may do
            pages = BlkfrontGrantedPages.claimPersistent(hypercalls, memory, grants, backendDomid, wanted,
                BlkfrontPersistentPages::ignoreShortfall);
        }
        if (pages == null)
        {
            pages = BlkfrontGrantedPages.claimPersistent(hypercalls, memory, grants, backendDomid, maxSegments,
                errorHandler);
        }
        return pages == null ? null : new BlkfrontPersistentPages(pages, ids, maxSegments);
    }

    private static void ignoreShortfall(final Throwable shortfall)
    {
    }

    /** Request ids the pages were claimed for: the ring's size. */
    int idCount()
    {
        return firstPageById.length;
    }

    /** Pages held in all: the most segments the ring's requests can have in flight at once. */
    int pageCount()
    {
        return freePages.length;
    }

    /** Pages no request holds now. */
    int freePageCount()
    {
        return freeCount;
    }

    /** Whether a request of {@code segments} segments can be issued now. */
    boolean canHold(final int segments)
    {
        return segments <= freeCount;
    }

    /**
     * Gives request id {@code id} (which holds none) {@code segments} pages, chained in segment order from
     * {@link #firstPage}; check {@link #canHold} first.
     */
    void assign(final int id, final int segments)
    {
        if (firstPageById[id] != NO_PAGE || segments < 1 || segments > maxSegments || segments > freeCount)
        {
            throw new IllegalStateException("id " + id + " wants " + segments + " pages of " + freeCount +
                " free, holding " + (firstPageById[id] == NO_PAGE ? "none" : "some"));
        }
        int next = NO_PAGE;
        for (int segment = segments - 1; segment >= 0; segment--)
        {
            final int page = freePages[--freeCount];
            nextPageByPage[page] = next;
            next = page;
        }
        firstPageById[id] = next;
    }

    /** The page carrying segment 0 of request id {@code id}; the others follow by {@link #nextPage}. */
    int firstPage(final int id)
    {
        return firstPageById[id];
    }

    /** The page carrying the segment after the one {@code page} carries, or {@link #NO_PAGE}. */
    int nextPage(final int page)
    {
        return nextPageByPage[page];
    }

    /** The grant ref of page {@code page}. */
    int ref(final int page)
    {
        return pages.ref(page);
    }

    /** The frame of page {@code page}. */
    AtomicBuffer frame(final int page)
    {
        return pages.frame(page);
    }

    /** Takes back the pages of request id {@code id} (none if it holds none). */
    void unassign(final int id)
    {
        int page = firstPageById[id];
        // bounded: a chain holds at most maxSegments pages, each taken off the free stack once
        while (page != NO_PAGE)
        {
            freePages[freeCount++] = page;
            page = nextPageByPage[page];
        }
        firstPageById[id] = NO_PAGE;
    }

    /**
     * Ends access to every page and returns the memory, or hands what the back end still maps to {@code deferred}
     * ({@link BlkfrontGrantedPages#release}). Grants monitor held.
     */
    void release(final DeferredGrantRelease deferred)
    {
        pages.release(deferred);
    }
}
