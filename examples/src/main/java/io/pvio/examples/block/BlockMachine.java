package io.pvio.examples.block;

import io.pvio.backend.block.BlkbackFeatures;
import io.pvio.backend.block.BlkbackXenbus;
import io.pvio.backend.block.BlockStorage;
import io.pvio.frontend.block.BlkfrontDevice;
import io.pvio.frontend.block.BlkfrontXenbus;
import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.guest.EventIdleStrategy;
import io.pvio.hypervisor.xenbus.SplitDriverHost;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusState;
import org.agrona.ErrorHandler;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The block examples' machine: a {@link SplitDriverHost} whose dom0 runs blkback and one guest running blkfront,
 * both woken by real event-channel interrupts. {@link #attach} plugs a disk into the guest and waits for the xenbus
 * handshake to reach Connected.
 */
public final class BlockMachine implements AutoCloseable
{
    /** Machine memory: dom0's bounce frames and the guest's pages and buffers fit with room to spare. */
    public static final int MACHINE_FRAMES = 16384;

    private final SplitDriverHost host;
    private final SplitDriverHost.Guest guest;
    private final BlkbackXenbus blkback;
    private final BlkfrontXenbus blkfront;
    private final Map<String, BlockStorage> disks = new ConcurrentHashMap<>();

    /**
     * @param features     what blkback offers.
     * @param frontQueues  rings blkfront asks for (it gets at most what blkback offers).
     * @param guestPages   the guest's reservation ceiling (its rings, grants and I/O buffers); its pseudo-physical
     *                     space is twice that, so aligned extents (blkfront's registered buffers) find room.
     * @param idle         the drivers' idle strategies (one per ring agent and per device agent).
     * @param errors       receives whatever a driver, bus or agent reports.
     */
    public BlockMachine(
        final BlkbackFeatures features,
        final int frontQueues,
        final int guestPages,
        final Supplier<EventIdleStrategy> idle,
        final ErrorHandler errors)
    {
        host = new SplitDriverHost(MACHINE_FRAMES, 4096, errors);
        try
        {
            guest = host.createGuest(new DomainConfig().name("guest").memoryPages(32).maxPages(guestPages)
                .gfnCount(2 * guestPages).grantFrames(16));
            blkback = new BlkbackXenbus(host.hypervisor().dom0Hypercalls(), host.dom0().guestMemory(),
                host.dom0Dispatcher(), device -> disks.get(device.id()), features, idle, errors);
            blkfront = new BlkfrontXenbus(guest.domain().hypercalls(), guest.domain().guestMemory(), guest.grants(),
                guest.dispatcher(), idle, errors, frontQueues);
            host.startBackendBus(blkback);
            guest.startFrontendBus(blkfront);
        }
        catch (final RuntimeException ex)
        {
            host.close();
            throw ex;
        }
    }

    public SplitDriverHost host()
    {
        return host;
    }

    public SplitDriverHost.Guest guest()
    {
        return guest;
    }

    public BlkbackXenbus blkback()
    {
        return blkback;
    }

    public BlkfrontXenbus blkfront()
    {
        return blkfront;
    }

    /** The xenbus device for {@code vbd/<id>} in the guest. */
    public XenbusDevice device(final String id)
    {
        return new XenbusDevice(BlkbackXenbus.DEVICE_TYPE, id, guest.domid(), 0);
    }

    /**
     * Plugs {@code disk} (owned by the caller) into the guest as {@code vbd/<id>} and waits until blkfront is
     * connected.
     *
     * @throws TimeoutException if the handshake does not finish within {@code timeout}.
     */
    public BlkfrontDevice attach(final String id, final BlockStorage disk, final Duration timeout)
        throws TimeoutException, InterruptedException
    {
        final XenbusDevice device = device(id);
        disks.put(id, disk);
        host.attach(device);
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            final BlkfrontDevice blockDevice = blkfront.device(id);
            if (blockDevice != null && blockDevice.isConnected() &&
                host.observer().readState(device.frontendPath()) == XenbusState.CONNECTED)
            {
                return blockDevice;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new TimeoutException(device + " not connected after " + timeout.toMillis() + " ms: front " +
                    host.observer().readState(device.frontendPath()) + ", back " +
                    host.observer().readState(device.backendPath()));
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    /** {@code count} fresh zeroed guest pages (I/O buffers). */
    public long[] allocateGuestPages(final int count)
    {
        final long[] gfns = new long[count];
        final int added = guest.domain().hypercalls().memory().increaseReservation(DomainId.SELF, count, gfns);
        if (added != count)
        {
            throw new IllegalStateException("the guest got only " + added + " of " + count + " pages");
        }
        return gfns;
    }

    /** Stops blkfront's devices, then every agent, the domains and the hypervisor. */
    @Override
    public void close()
    {
        blkfront.close();
        host.close();
    }
}
