package io.pvio.hypervisor.xenbus;

import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.guest.EventHandler;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.guest.UpcallDispatcher;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.memory.GuestMemory;
import org.agrona.concurrent.AtomicBuffer;

/**
 * A front end's shared ring resources: {@code 2^order} fresh machine-contiguous pages (one extent) granted to the back end and an unbound event
 * channel for it, published as {@code ring-ref} (order 0) or {@code ring-page-order} + {@code ring-refN}, and
 * {@code event-channel}. Claimed by {@link #claim}, given back by {@link #release}:
 * <pre>{@code
 * final XenbusFrontRing ring = XenbusFrontRing.claim(hypercalls, memory, grants, backendDomid, 0);
 * try { ... ring.publish(tx) ... } catch (RuntimeException ex) { ring.release(); throw ex; }
 * }</pre>
 */
public final class XenbusFrontRing
{
    public static final String RING_REF = "ring-ref";
    public static final String RING_PAGE_ORDER = "ring-page-order";
    public static final String EVENT_CHANNEL = "event-channel";
    /** Largest order supported (16 pages), as blkfront's default maximum. */
    public static final int MAX_PAGE_ORDER = 4;

    private final Hypercalls hypercalls;
    private final GrantAccess grants;
    private final int order;
    private final long[] gfns;
    private final int[] refs;
    private final AtomicBuffer[] pages;
    private AtomicBuffer ring;
    private int port = -1;
    private int pendingRefs;
    /** Where {@link #bindEvents} bound the port's handler, until {@link #release} unbinds it. */
    private UpcallDispatcher boundOn;

    private XenbusFrontRing(final Hypercalls hypercalls, final GrantAccess grants, final int order)
    {
        this.hypercalls = hypercalls;
        this.grants = grants;
        this.order = order;
        this.gfns = new long[1 << order];
        this.refs = new int[1 << order];
        this.pages = new AtomicBuffer[1 << order];
        java.util.Arrays.fill(refs, -1);
        java.util.Arrays.fill(gfns, -1);
    }

    /**
     * Allocates {@code 2^order} zeroed pages, grants them to {@code backendDomid} and allocates the event channel.
     * Unwinds what succeeded if any step fails.
     */
    public static XenbusFrontRing claim(
        final Hypercalls hypercalls,
        final GuestMemory memory,
        final GrantAccess grants,
        final int backendDomid,
        final int order)
    {
        if (order < 0 || order > MAX_PAGE_ORDER)
        {
            throw new IllegalArgumentException("ring page order " + order + " outside [0, " + MAX_PAGE_ORDER + "]");
        }
        final XenbusFrontRing ring = new XenbusFrontRing(hypercalls, grants, order);
        try
        {
            // one extent of 2^order machine-contiguous frames: the back end can then map the ring as one run
            final long[] first = new long[1];
            hypercalls.memory().increaseReservation(DomainId.SELF, 1, order, first);
            for (int i = 0; i < ring.gfns.length; i++)
            {
                ring.gfns[i] = first[0] + i;
            }
            ring.ring = order == 0 ? memory.frame(first[0]) : memory.area(first[0], ring.gfns.length);
            for (int i = 0; i < ring.gfns.length; i++)
            {
                ring.pages[i] = memory.frame(ring.gfns[i]);
                ring.refs[i] = grants.grantAccess(backendDomid, ring.gfns[i], false);
            }
            ring.port = hypercalls.eventChannel().allocUnbound(backendDomid);
            return ring;
        }
        catch (final RuntimeException ex)
        {
            ring.release();
            throw ex;
        }
    }

    public int order()
    {
        return order;
    }

    public int pageCount()
    {
        return pages.length;
    }

    /** The whole ring, {@code 2^order} pages as one buffer (revoked when the pages are released). */
    public AtomicBuffer ring()
    {
        return ring;
    }

    /** Page {@code index} of the ring, in the order the back end maps them. */
    public AtomicBuffer page(final int index)
    {
        return pages[index];
    }

    public int ref(final int index)
    {
        return refs[index];
    }

    public int port()
    {
        return port;
    }

    /**
     * Binds {@code handler} to this ring's event channel on {@code dispatcher} (the guest's upcall), for as long as
     * the ring holds the port: {@link #release} unbinds it before closing the port, so that the port number, reused
     * by whatever allocates it next, never reaches this ring's handler. The thread that releases must see this call
     * (the same thread, or one handed the ring after it).
     */
    public void bindEvents(final UpcallDispatcher dispatcher, final EventHandler handler)
    {
        if (port < 0)
        {
            throw new IllegalStateException("the ring was released: it has no event channel");
        }
        dispatcher.bind(port, handler);
        boundOn = dispatcher;
    }

    /** Writes the ring references and event channel (blkif.h/netif.h conventions). */
    public void publish(final XenbusTransaction tx)
    {
        if (order == 0)
        {
            tx.write(RING_REF, refs[0]);
        }
        else
        {
            tx.write(RING_PAGE_ORDER, order);
            for (int i = 0; i < refs.length; i++)
            {
                tx.write(RING_REF + i, refs[i]);
            }
        }
        tx.write(EVENT_CHANNEL, port);
    }

    /**
     * Unbinds the port's handler ({@link #bindEvents}), closes the port and ends access to the pages, freeing those
     * the back end no longer maps. Call again later for the rest (see {@link #pendingRefs()}); idempotent.
     *
     * @return grants still mapped by the back end.
     */
    public int release()
    {
        if (port >= 0)
        {
            if (boundOn != null)
            {
                boundOn.unbind(port);
                boundOn = null;
            }
            hypercalls.eventChannel().close(port);
            port = -1;
        }
        int pending = 0;
        for (int i = 0; i < refs.length; i++)
        {
            if (refs[i] >= 0)
            {
                if (!grants.tryEndAccess(refs[i]))
                {
                    pending++;
                    continue;
                }
                refs[i] = -1;
            }
            if (gfns[i] >= 0)
            {
                hypercalls.memory().decreaseReservation(DomainId.SELF, new long[] {gfns[i]}, 1);
                gfns[i] = -1;
            }
        }
        pendingRefs = pending;
        return pending;
    }

    /** Grants the back end still held at the last {@link #release}. */
    public int pendingRefs()
    {
        return pendingRefs;
    }
}
