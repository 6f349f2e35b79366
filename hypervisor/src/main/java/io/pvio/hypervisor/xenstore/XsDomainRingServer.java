package io.pvio.hypervisor.xenstore;

import io.pvio.hypervisor.hypercall.HypercallException;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.ring.grant.GrantEntryV1Descriptor;
import io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor;
import io.pvio.ring.xenstore.XenstoreDomainInterfaceFlyweight;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.ArrayList;
import java.util.List;

/**
 * xenstored's side of the guests' XenStore rings, running in dom0: the way in for guests, as in Xen. Each
 * introduced guest's page ({@code xenstore_domain_interface}, granted to dom0 at the reserved reference
 * {@code GNTTAB_RESERVED_XENSTORE}) is mapped through dom0's grant table and its event channel bound; requests are
 * copied out of the ring into private memory, decoded by the same {@link XsRequestHandler} as the socket, and
 * answered (then the connection's watch events) through the response ring, with one notify per duty cycle that
 * moved bytes.
 * <p>
 * An Agrona {@link Agent}. {@link #introduce} and {@link #release} may be called from any thread; they are applied
 * in the next duty cycle. A guest that publishes an impossible index gets {@code XENSTORE_ERROR_RINGIDX} in its
 * page and is no longer served (logged once); one that sends malformed messages gets {@code XS_ERROR}s; neither
 * affects other guests. Work per guest and duty cycle is bounded.
 */
public final class XsDomainRingServer implements Agent
{
    private static final int MESSAGES_PER_CYCLE = 16;

    private record Command(boolean introduce, int domid, int guestPort)
    {
    }

    private final XenStore store;
    private final Hypercalls dom0;
    private final XsConnection control;
    private final ErrorHandler errorHandler;
    private final ManyToOneConcurrentArrayQueue<Command> commands = new ManyToOneConcurrentArrayQueue<>(256);
    private final List<GuestRing> rings = new ArrayList<>();

    /**
     * @param dom0 the hypercalls of the domain running xenstored (dom0): grants are mapped and ports bound as it.
     */
    public XsDomainRingServer(final XenStore store, final Hypercalls dom0, final ErrorHandler errorHandler)
    {
        this.store = store;
        this.dom0 = dom0;
        this.errorHandler = errorHandler;
        this.control = store.connect(dom0.domid(), true, "xenstored-rings");
    }

    /**
     * {@code XS_INTRODUCE}: serve {@code domid}, whose XenStore page is granted to dom0 at
     * {@code GNTTAB_RESERVED_XENSTORE} and whose unbound port {@code guestPort} is open for dom0.
     *
     * @return false if the command queue is full (try again).
     */
    public boolean introduce(final int domid, final int guestPort)
    {
        return commands.offer(new Command(true, domid, guestPort));
    }

    /** {@code XS_RELEASE}: stop serving {@code domid}, unmap its page, close the port, drop its connection. */
    public boolean release(final int domid)
    {
        return commands.offer(new Command(false, domid, 0));
    }

    @Override
    public String roleName()
    {
        return "xenstored-rings";
    }

    @Override
    public int doWork()
    {
        int work = commands.drain(this::apply);
        for (int i = 0; i < rings.size(); i++)
        {
            final GuestRing ring = rings.get(i);
            try
            {
                work += ring.serve();
            }
            catch (final RuntimeException ex)
            {
                // one guest's trouble stops only that guest's ring
                ring.broken = true;
                errorHandler.onError(ex);
            }
        }
        return work;
    }

    @Override
    public void onClose()
    {
        for (final GuestRing ring : rings)
        {
            ring.close();
        }
        rings.clear();
        store.disconnect(control);
    }

    private void apply(final Command command)
    {
        try
        {
            if (command.introduce())
            {
                introduceNow(command.domid(), command.guestPort());
            }
            else
            {
                releaseNow(command.domid());
            }
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
        }
    }

    private void introduceNow(final int domid, final int guestPort)
    {
        for (final GuestRing ring : rings)
        {
            if (ring.domid == domid)
            {
                throw XsErrno.EEXIST.exception("dom" + domid + " already introduced");
            }
        }
        final int handle = dom0.grantTable().mapGrantRef(domid, GrantEntryV1Descriptor.GNTTAB_RESERVED_XENSTORE, false);
        if (handle < 0)
        {
            throw XsErrno.EINVAL.exception("cannot map the XenStore page of dom" + domid + ": status " + handle);
        }
        final int localPort;
        try
        {
            localPort = dom0.eventChannel().bindInterdomain(domid, guestPort);
        }
        catch (final HypercallException ex)
        {
            dom0.grantTable().unmapGrantRef(handle);
            throw ex;
        }
        final XenstoreDomainInterfaceFlyweight page =
            new XenstoreDomainInterfaceFlyweight().wrap(dom0.grantTable().writableView(handle), 0);
        page.initialiseServer(XenstoreDomainInterfaceDescriptor.SERVER_FEATURE_ERROR);
        rings.add(new GuestRing(domid, handle, localPort, page, store.connect(domid, false, "ring")));
        store.introduceDomain(control, domid);
        dom0.eventChannel().send(localPort);
    }

    private void releaseNow(final int domid)
    {
        for (int i = 0; i < rings.size(); i++)
        {
            final GuestRing ring = rings.get(i);
            if (ring.domid == domid)
            {
                rings.remove(i);
                ring.close();
                store.releaseDomain(control, domid);
                return;
            }
        }
        throw XsErrno.ENOENT.exception("dom" + domid + " not introduced");
    }

    /** One guest's ring: plain fields, owned by the agent thread. */
    private final class GuestRing
    {
        final int domid;
        final int grantHandle;
        final int localPort;
        final XenstoreDomainInterfaceFlyweight page;
        final XsRequestHandler handler;
        final XsStreamDecoder decoder = new XsStreamDecoder();
        int pendingOffset;
        int pendingLength;
        boolean broken;

        GuestRing(
            final int domid,
            final int grantHandle,
            final int localPort,
            final XenstoreDomainInterfaceFlyweight page,
            final XsConnection connection)
        {
            this.domid = domid;
            this.grantHandle = grantHandle;
            this.localPort = localPort;
            this.page = page;
            this.handler = new XsRequestHandler(store, connection);
        }

        int serve()
        {
            if (broken)
            {
                return 0;
            }
            int movedBytes = 0;
            for (int messages = 0; messages < MESSAGES_PER_CYCLE && !broken; messages++)
            {
                final int flushed = flush();
                movedBytes += Math.max(flushed, 0);
                if (pendingLength > 0)
                {
                    break;
                }
                final int read = page.readRequests(decoder.buffer(), decoder.filledBytes(), decoder.spaceBytes());
                if (read == XenstoreDomainInterfaceFlyweight.RING_BROKEN)
                {
                    fail(XenstoreDomainInterfaceDescriptor.ERROR_RINGIDX);
                    break;
                }
                decoder.appended(read);
                movedBytes += read;
                int length = decoder.next(handler);
                if (length == 0)
                {
                    length = handler.pollEvent();
                }
                if (length == 0)
                {
                    break;
                }
                pendingOffset = 0;
                pendingLength = length;
            }
            if (movedBytes > 0)
            {
                // the guest sees our index updates (release stores in the flyweight) before the event.
                dom0.eventChannel().send(localPort);
            }
            return movedBytes;
        }

        private int flush()
        {
            if (pendingLength == 0)
            {
                return 0;
            }
            final int written = page.writeResponses(handler.reply(), pendingOffset, pendingLength);
            if (written == XenstoreDomainInterfaceFlyweight.RING_BROKEN)
            {
                fail(XenstoreDomainInterfaceDescriptor.ERROR_RINGIDX);
                return 0;
            }
            pendingOffset += written;
            pendingLength -= written;
            return written;
        }

        private void fail(final int error)
        {
            broken = true;
            page.error(error);
            errorHandler.onError(new IllegalStateException("dom" + domid + ": XenStore ring index out of range, " +
                "no longer served"));
        }

        void close()
        {
            store.disconnect(handler.connection());
            try
            {
                dom0.eventChannel().close(localPort);
            }
            catch (final HypercallException ignore)
            {
                // the guest's death already closed it
            }
            dom0.grantTable().unmapGrantRef(grantHandle);
        }
    }
}
