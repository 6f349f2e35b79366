package io.pvio.hypervisor.xenbus;

import io.pvio.hypervisor.hypercall.Hypercalls;
import org.agrona.concurrent.AtomicBuffer;

/**
 * A back end's view of a front end's ring: reads {@code ring-ref} or {@code ring-page-order} + {@code ring-refN} and
 * {@code event-channel} (untrusted: every key validated against the advertised maximum), maps each page through the
 * back end's grant table and binds the event channel. Claimed by {@link #claim}, given back by {@link #release}.
 * A failure part way unmaps only what was mapped (XSA-365) and throws {@link XenbusProtocolException}.
 */
public final class XenbusBackRing
{
    private final Hypercalls hypercalls;
    private final int[] handles;
    private final AtomicBuffer[] pages;
    private AtomicBuffer ring;
    private int localPort = -1;

    private XenbusBackRing(final Hypercalls hypercalls, final int pageCount)
    {
        this.hypercalls = hypercalls;
        this.handles = new int[pageCount];
        this.pages = new AtomicBuffer[pageCount];
        java.util.Arrays.fill(handles, -1);
    }

    /**
     * @param frontend     the front end's directory (read outside a transaction is fine: it is re-validated here).
     * @param maxPageOrder the largest {@code ring-page-order} this back end advertised.
     */
    public static XenbusBackRing claim(
        final Hypercalls hypercalls,
        final XenbusTransaction frontend,
        final int frontendDomid,
        final int maxPageOrder)
    {
        final int order = frontend.readInt(XenbusFrontRing.RING_PAGE_ORDER, 0, maxPageOrder, 0);
        final int remotePort = frontend.readInt(XenbusFrontRing.EVENT_CHANNEL, 0, 0xFFFF, -1);
        if (remotePort < 0)
        {
            throw new XenbusProtocolException(frontend.path(XenbusFrontRing.EVENT_CHANNEL) + " missing");
        }
        final int[] refs = new int[1 << order];
        for (int i = 0; i < refs.length; i++)
        {
            final String key = order == 0 ? XenbusFrontRing.RING_REF : XenbusFrontRing.RING_REF + i;
            refs[i] = (int)frontend.readLong(key, 0, 0xFFFFFFFFL, -1);
            if (refs[i] == -1)
            {
                throw new XenbusProtocolException(frontend.path(key) + " missing");
            }
        }
        final XenbusBackRing ring = new XenbusBackRing(hypercalls, refs.length);
        try
        {
            for (int i = 0; i < refs.length; i++)
            {
                final int handle = hypercalls.grantTable().mapGrantRef(frontendDomid, refs[i], false);
                if (handle < 0)
                {
                    throw new XenbusProtocolException("cannot map ring-ref " + Integer.toUnsignedString(refs[i]) +
                        " of d" + frontendDomid + ": status " + handle);
                }
                ring.handles[i] = handle;
                ring.pages[i] = hypercalls.grantTable().writableView(handle);
            }
            if (refs.length == 1)
            {
                ring.ring = ring.pages[0];
            }
            else
            {
                try
                {
                    // xenbus_map_ring_valloc: the pages as one range; pvio can join only machine-contiguous frames
                    ring.ring = hypercalls.grantTable().writableAreaView(ring.handles, refs.length);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new XenbusProtocolException("the " + refs.length + " ring pages of d" + frontendDomid +
                        " are not machine-contiguous (allocate the ring as one extent)");
                }
            }
            ring.localPort = hypercalls.eventChannel().bindInterdomain(frontendDomid, remotePort);
            return ring;
        }
        catch (final RuntimeException ex)
        {
            ring.release();
            if (ex instanceof XenbusProtocolException)
            {
                throw ex;
            }
            throw new XenbusProtocolException("cannot connect to d" + frontendDomid + ": " + ex.getMessage());
        }
    }

    public int pageCount()
    {
        return pages.length;
    }

    /** The whole mapped ring, {@code 2^order} pages as one buffer; revoked (re-pointed) by {@link #release}. */
    public AtomicBuffer ring()
    {
        return ring;
    }

    /** Mapped page {@code index}; its buffer is revoked (re-pointed) by {@link #release}. */
    public AtomicBuffer page(final int index)
    {
        return pages[index];
    }

    /** The bound local port, to notify the front end with. */
    public int localPort()
    {
        return localPort;
    }

    /** Unbinds and unmaps; idempotent. */
    public void release()
    {
        if (localPort >= 0)
        {
            hypercalls.eventChannel().close(localPort);
            localPort = -1;
        }
        for (int i = 0; i < handles.length; i++)
        {
            if (handles[i] >= 0)
            {
                hypercalls.grantTable().unmapGrantRef(handles[i]);
                handles[i] = -1;
                pages[i] = null;
            }
        }
        ring = null;
    }
}
