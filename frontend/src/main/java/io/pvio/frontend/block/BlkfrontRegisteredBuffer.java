package io.pvio.frontend.block;

import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.HypercallException;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.xenbus.DeferredGrantRelease;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The pages behind one {@link BlkfrontDevice#allocateBuffer} buffer: guest memory granted writable to the device's
 * back end for as long as the buffer lives, so that requests on it carry these grants as they are, with no copy and
 * no grant made per request (as io_uring's fixed buffers are registered once). With {@code feature-persistent} the
 * back end keeps them mapped and moves the data straight between them and the disk.
 * <p>
 * The pages are one machine-contiguous extent when the guest has one free ({@code XENMEM_increase_reservation} with
 * an extent order, the excess of the power of two given back at once), so a back end can do one I/O over all of
 * them; otherwise single pages. Allocated and released on the caller's or the device agent's thread, with the
 * grants monitor held; the refs and gfns never change in between, and {@link #release} runs once, whoever calls it
 * first.
 */
final class BlkfrontRegisteredBuffer
{
    /** The largest extent asked for: 256 pages (1 MiB), one whole largest request. */
    static final int MAX_EXTENT_ORDER = 8;

    private final BlockBuffer buffer;
    private final long[] gfns;
    private final int[] refs;
    private final AtomicBoolean released = new AtomicBoolean();

    private BlkfrontRegisteredBuffer(final long[] gfns, final int[] refs)
    {
        this.gfns = gfns;
        this.refs = refs;
        this.buffer = BlockBuffer.ofPages(gfns);
    }

    /**
     * Claims {@code pageCount} pages (one extent if the guest has a free run) and grants each writable to
     * {@code backendDomid}. Grants monitor held.
     *
     * @throws IllegalArgumentException if {@code pageCount} is not in 1..{@link BlkfrontDevice#MAX_INDIRECT_SEGMENTS}.
     * @throws IllegalStateException    if the guest has no memory or grant references for them (nothing is kept).
     */
    static BlkfrontRegisteredBuffer allocate(
        final Hypercalls hypercalls, final GrantAccess grants, final int backendDomid, final int pageCount)
    {
        if (pageCount < 1 || pageCount > BlkfrontDevice.MAX_INDIRECT_SEGMENTS)
        {
            throw new IllegalArgumentException("a buffer is 1.." + BlkfrontDevice.MAX_INDIRECT_SEGMENTS +
                " pages: " + pageCount);
        }
        if (grants.freeRefCount() < pageCount)
        {
            throw new IllegalStateException("only " + grants.freeRefCount() + " grant references free for a buffer " +
                "of " + pageCount + " pages");
        }
        final long[] gfns = claimPages(hypercalls, pageCount);
        final int[] refs = new int[pageCount];
        for (int i = 0; i < pageCount; i++)
        {
            // writable: the back end writes a read's data into it
            refs[i] = grants.grantAccess(backendDomid, gfns[i], false);
        }
        return new BlkfrontRegisteredBuffer(gfns, refs);
    }

    /** One extent if possible, else single pages; all or nothing. */
    private static long[] claimPages(final Hypercalls hypercalls, final int pageCount)
    {
        final long[] gfns = new long[pageCount];
        final int order = 32 - Integer.numberOfLeadingZeros(pageCount - 1);
        if (order > 0 && order <= MAX_EXTENT_ORDER)
        {
            final long[] first = new long[1];
            int added;
            try
            {
                added = hypercalls.memory().increaseReservation(DomainId.SELF, 1, order, first);
            }
            catch (final HypercallException ex)
            {
                added = 0; // no free run (or at the ceiling): single pages below, which report a real shortage
            }
            if (added == 1)
            {
                final int extentPages = 1 << order;
                final long[] excess = new long[extentPages - pageCount];
                for (int i = 0; i < extentPages; i++)
                {
                    if (i < pageCount)
                    {
                        gfns[i] = first[0] + i;
                    }
                    else
                    {
                        excess[i - pageCount] = first[0] + i;
                    }
                }
                if (excess.length > 0)
                {
                    hypercalls.memory().decreaseReservation(DomainId.SELF, excess, excess.length);
                }
                return gfns;
            }
        }
        final int added;
        try
        {
            added = hypercalls.memory().increaseReservation(DomainId.SELF, pageCount, gfns);
        }
        catch (final HypercallException ex)
        {
            throw new IllegalStateException("no memory for a buffer of " + pageCount + " pages: " + ex.getMessage(),
                ex);
        }
        if (added != pageCount)
        {
            hypercalls.memory().decreaseReservation(DomainId.SELF, gfns, added);
            throw new IllegalStateException("only " + added + " of " + pageCount + " pages for a buffer");
        }
        return gfns;
    }

    /** What the caller gets: the pages end to end, offset 0. */
    BlockBuffer buffer()
    {
        return buffer;
    }

    int pageCount()
    {
        return gfns.length;
    }

    long gfn(final int page)
    {
        return gfns[page];
    }

    int ref(final int page)
    {
        return refs[page];
    }

    /**
     * Ends every grant and gives the pages back; a grant the back end still maps (a persistent one, until it
     * disconnects) goes with its page to {@code deferred}, which ends it once the back end lets go. Once only:
     * later calls do nothing. Grants monitor held.
     *
     * @return true if this call released it.
     */
    boolean release(final Hypercalls hypercalls, final GrantAccess grants, final DeferredGrantRelease deferred)
    {
        if (!released.compareAndSet(false, true))
        {
            return false;
        }
        BlkfrontGrantedPages.endAccessAndFree(hypercalls, grants, deferred, refs, gfns, gfns.length);
        return true;
    }
}
