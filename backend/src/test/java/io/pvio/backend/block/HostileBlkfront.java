package io.pvio.backend.block;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusFrontRing;
import io.pvio.hypervisor.xenbus.XenbusFrontendDriver;
import io.pvio.hypervisor.xenbus.XenbusNegotiation;
import io.pvio.hypervisor.xenbus.XenbusTransaction;
import io.pvio.ring.FrontRing;
import io.pvio.ring.SharedRing;
import io.pvio.ring.blkif.BlkifAbi;
import io.pvio.ring.blkif.BlkifResponseFlyweight;
import org.agrona.concurrent.AtomicBuffer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A front end written against the ring directly (test fixture): it does the xenbus handshake honestly, then hands
 * the test its ring so that every field of every request can be set to anything. The test thread drives the ring;
 * nothing here validates what the test writes.
 */
final class HostileBlkfront implements XenbusFrontendDriver
{
    /** One connected device as the test sees it. */
    static final class Connection
    {
        final XenbusFrontRing resources;
        final FrontRing front;
        volatile boolean connected;

        Connection(final XenbusFrontRing resources, final FrontRing front)
        {
            this.resources = resources;
            this.front = front;
        }

        AtomicBuffer buffer()
        {
            return front.sharedRing().buffer();
        }

        /** Publishes what the test claimed and wrote, kicking the back end. */
        void push(final Domain guest)
        {
            if (front.pushRequestsAndCheckNotify())
            {
                guest.hypercalls().eventChannel().send(resources.port());
            }
        }
    }

    final Map<String, Connection> connections = new ConcurrentHashMap<>();
    /** Extra keys (or overrides) published with Initialised: how a test lies in the negotiation. */
    final Map<String, String> extraKeys = new ConcurrentHashMap<>();
    private final Domain guest;
    private final GrantAccess grants;

    HostileBlkfront(final Domain guest, final GrantAccess grants)
    {
        this.guest = guest;
        this.grants = grants;
    }

    @Override
    public String deviceType()
    {
        return BlkbackXenbus.DEVICE_TYPE;
    }

    @Override
    public void probe(final XenbusDevice device)
    {
    }

    @Override
    public XenbusNegotiation initialise(final XenbusDevice device, final XenbusTransaction backend)
    {
        final XenbusFrontRing resources;
        synchronized (grants)
        {
            resources = XenbusFrontRing.claim(guest.hypercalls(), guest.guestMemory(), grants,
                device.backendDomid(), 0);
        }
        final FrontRing front = FrontRing.initialise(SharedRing.ofPageOrder(resources.page(0), 0,
            BlkifAbi.X86_64.layout()));
        connections.put(device.id(), new Connection(resources, front));
        return tx ->
        {
            resources.publish(tx);
            tx.write(BlkbackFrontendDetails.PROTOCOL, BlkifAbi.X86_64.protocol());
            extraKeys.forEach(tx::write);
        };
    }

    @Override
    public void connected(final XenbusDevice device, final XenbusTransaction backend)
    {
        connections.get(device.id()).connected = true;
    }

    @Override
    public void disconnect(final XenbusDevice device)
    {
        final Connection connection = connections.remove(device.id());
        if (connection != null)
        {
            connection.connected = false;
            synchronized (grants)
            {
                connection.resources.release();
            }
        }
    }

    @Override
    public void remove(final XenbusDevice device)
    {
    }

    /** Reads the response at {@code offset} into {@code out}: id, operation, status. */
    static long[] response(final AtomicBuffer buffer, final int offset)
    {
        final BlkifResponseFlyweight response = new BlkifResponseFlyweight().wrap(buffer, offset);
        return new long[] {response.id(), response.operation(), response.status()};
    }
}
