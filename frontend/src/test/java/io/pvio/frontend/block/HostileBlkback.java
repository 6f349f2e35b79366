package io.pvio.frontend.block;

import io.pvio.backend.block.BlkbackFeatures;
import io.pvio.backend.block.BlkbackGeometry;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.xenbus.XenbusBackRing;
import io.pvio.hypervisor.xenbus.XenbusBackendDriver;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusNegotiation;
import io.pvio.hypervisor.xenbus.XenbusTransaction;
import io.pvio.ring.BackRing;
import io.pvio.ring.SharedRing;
import io.pvio.ring.blkif.BlkifAbi;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A back end written against the ring directly (test fixture): an honest xenbus handshake (one queue, one-page
 * ring, no indirect segments), then the test answers requests itself, with whatever ids, operations and producer
 * indices it likes.
 */
final class HostileBlkback implements XenbusBackendDriver
{
    static final long SECTORS = 1024;

    /** A connected device as the test drives it. */
    record Connection(XenbusBackRing mapped, BackRing back)
    {
    }

    final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Hypercalls hypercalls;

    HostileBlkback(final Hypercalls hypercalls)
    {
        this.hypercalls = hypercalls;
    }

    @Override
    public String deviceType()
    {
        return BlkfrontXenbus.DEVICE_TYPE;
    }

    @Override
    public XenbusNegotiation probe(final XenbusDevice device)
    {
        return new BlkbackFeatures(true, false, true, false, 0, 1, 0)::write;
    }

    @Override
    public XenbusNegotiation connect(final XenbusDevice device, final XenbusTransaction frontend)
    {
        final XenbusBackRing mapped = XenbusBackRing.claim(hypercalls, frontend, device.frontendDomid(), 0);
        connections.put(device.id(), new Connection(mapped,
            BackRing.attach(SharedRing.ofPageOrder(mapped.page(0), 0, BlkifAbi.X86_64.layout()))));
        return new BlkbackGeometry(SECTORS, 512, 0)::write;
    }

    /** Sends the front end an event, as a back end does after publishing responses it asked to hear about. */
    void notifyFrontend(final Connection connection)
    {
        hypercalls.eventChannel().send(connection.mapped().localPort());
    }

    @Override
    public void disconnect(final XenbusDevice device)
    {
        final Connection connection = connections.remove(device.id());
        if (connection != null)
        {
            connection.mapped().release();
        }
    }

    @Override
    public void remove(final XenbusDevice device)
    {
    }
}
