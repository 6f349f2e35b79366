package io.pvio.backend.block;

import io.pvio.hypervisor.guest.EventIdleStrategy;
import io.pvio.hypervisor.guest.UpcallDispatcher;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.memory.GuestMemory;
import io.pvio.hypervisor.xenbus.XenbusBackRing;
import io.pvio.hypervisor.xenbus.XenbusBackendDriver;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusNegotiation;
import io.pvio.hypervisor.xenbus.XenbusProtocolException;
import io.pvio.hypervisor.xenbus.XenbusTransaction;
import io.pvio.ring.BackRing;
import io.pvio.ring.SharedRing;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * blkback's control path: the {@code vbd} driver for a {@link io.pvio.hypervisor.xenbus.XenbusBackendBus}. It
 * advertises {@link BlkbackFeatures} with InitWait; when the front end is Initialised it validates the front end's
 * keys ({@link BlkbackFrontendDetails}), and for each queue it asked for ({@code multi-queue-num-queues}, at
 * most what we advertised; one ring at the top level, or one per {@code queue-N} directory) maps the ring and binds
 * its event channel ({@link XenbusBackRing}), claims bounce frames and starts a {@link BlkbackRing} agent on its own
 * thread, woken by the ring's event channel (bound on the domain's {@link UpcallDispatcher}); then it publishes
 * {@link BlkbackGeometry} with Connected. Disconnect stops those agents (joining their
 * threads) before anything they use is unmapped or freed.
 * <p>
 * With {@code feature-persistent}, the rings of one device keep at most {@link #maxPersistentGrantsPerDevice()}
 * grant mappings together ({@link #DEFAULT_MAX_PERSISTENT_GRANTS_PER_DEVICE} unless given to the constructor;
 * Linux's {@code max_persistent_grants}): each connection has its own budget, which its rings share.
 * <p>
 * The bus calls every method on its agent thread; the map of connections may be read from any thread.
 */
public final class BlkbackXenbus implements XenbusBackendDriver
{
    public static final String DEVICE_TYPE = "vbd";

    /** One queue of a connected device: its agent, frames and mapped ring, in the order they are given back. */
    private record Queue(
        AgentRunner runner, EventIdleStrategy idle, BlkbackRing ring, BlkbackBouncePages bounce,
        XenbusBackRing mapped, UpcallDispatcher dispatcher)
    {
        void close()
        {
            // no more wake-ups from this port; then the agent stops (its thread joined, never left parked) before
            // its ring and frames go away
            if (mapped.localPort() >= 0)
            {
                dispatcher.unbind(mapped.localPort());
            }
            if (runner != null)
            {
                idle.shutdown();
                runner.close();
            }
            if (bounce != null)
            {
                bounce.release();
            }
            mapped.release();
        }
    }

    /** What one connected device holds. */
    private record Connection(List<Queue> queues)
    {
        void close()
        {
            for (final Queue queue : queues)
            {
                queue.close();
            }
        }
    }

    /**
     * Grant mappings the rings of one device keep together by default with {@code feature-persistent}: 8192, 32 MiB
     * of the front end's pages (Linux's {@code max_persistent_grants} is the analogue).
     */
    public static final int DEFAULT_MAX_PERSISTENT_GRANTS_PER_DEVICE = BlkbackPersistentGrants.DEFAULT_MAX_PER_DEVICE;

    /** blkif.h: with more than one queue each has its own {@code queue-N} directory under the front end's. */
    public static final String QUEUE_DIR_PREFIX = "queue-";

    private final Hypercalls hypercalls;
    private final GuestMemory memory;
    private final Function<XenbusDevice, BlockStorage> storageByDevice;
    private final BlkbackFeatures features;
    private final UpcallDispatcher dispatcher;
    private final Supplier<EventIdleStrategy> idleStrategies;
    private final ErrorHandler errorHandler;
    private final int maxPersistentGrantsPerDevice;
    private final long persistentGrantIdleTimeoutNs;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();

    /**
     * @param hypercalls      the back end domain's hypercalls (dom0 or a driver domain).
     * @param memory          the back end domain's memory (bounce frames are claimed from it).
     * @param storageByDevice the disk behind each device, or {@code null} for none (the device then fails to
     *                        connect); the caller owns and closes the storage.
     * @param dispatcher      the back end domain's event upcall: each ring's event channel is bound on it to wake
     *                        that ring's agent (the front end's kick arrives as a virtual interrupt).
     * @param idleStrategies  one idle strategy per ring agent: it parks until the ring's event is delivered.
     */
    public BlkbackXenbus(
        final Hypercalls hypercalls,
        final GuestMemory memory,
        final UpcallDispatcher dispatcher,
        final Function<XenbusDevice, BlockStorage> storageByDevice,
        final BlkbackFeatures features,
        final Supplier<EventIdleStrategy> idleStrategies,
        final ErrorHandler errorHandler)
    {
        this(hypercalls, memory, dispatcher, storageByDevice, features, idleStrategies, errorHandler,
            DEFAULT_MAX_PERSISTENT_GRANTS_PER_DEVICE);
    }

    /**
     * As {@link #BlkbackXenbus(Hypercalls, GuestMemory, UpcallDispatcher, Function, BlkbackFeatures, Supplier,
     * ErrorHandler)}, with a bound on persistent grants.
     *
     * @param maxPersistentGrantsPerDevice grant mappings all the rings of one device may keep together with {@code
     *                                     feature-persistent} ({@link #DEFAULT_MAX_PERSISTENT_GRANTS_PER_DEVICE} by
     *                                     default); beyond that a ring grant-copies. 0 keeps none. Mind dom0's
     *                                     maptrack: every connected device may use this many entries.
     * @throws IllegalArgumentException if {@code maxPersistentGrantsPerDevice} is negative.
     */
    public BlkbackXenbus(
        final Hypercalls hypercalls,
        final GuestMemory memory,
        final UpcallDispatcher dispatcher,
        final Function<XenbusDevice, BlockStorage> storageByDevice,
        final BlkbackFeatures features,
        final Supplier<EventIdleStrategy> idleStrategies,
        final ErrorHandler errorHandler,
        final int maxPersistentGrantsPerDevice)
    {
        this(hypercalls, memory, dispatcher, storageByDevice, features, idleStrategies, errorHandler,
            maxPersistentGrantsPerDevice, BlkbackPersistentGrantBudget.DEFAULT_IDLE_TIMEOUT_NS);
    }

    /**
     * As {@link #BlkbackXenbus(Hypercalls, GuestMemory, UpcallDispatcher, Function, BlkbackFeatures, Supplier,
     * ErrorHandler, int)}, with the time after which a ring unmaps a kept grant that no request used.
     *
     * @param persistentGrantIdleTimeoutNs Linux's {@code persistent_grant_unused_seconds}
     *                                     ({@link BlkbackPersistentGrantBudget#DEFAULT_IDLE_TIMEOUT_NS} by default).
     * @throws IllegalArgumentException if {@code maxPersistentGrantsPerDevice} is negative or {@code
     *                                  persistentGrantIdleTimeoutNs} not positive.
     */
    public BlkbackXenbus(
        final Hypercalls hypercalls,
        final GuestMemory memory,
        final UpcallDispatcher dispatcher,
        final Function<XenbusDevice, BlockStorage> storageByDevice,
        final BlkbackFeatures features,
        final Supplier<EventIdleStrategy> idleStrategies,
        final ErrorHandler errorHandler,
        final int maxPersistentGrantsPerDevice,
        final long persistentGrantIdleTimeoutNs)
    {
        if (maxPersistentGrantsPerDevice < 0)
        {
            throw new IllegalArgumentException(
                "max persistent grants per device must not be negative: " + maxPersistentGrantsPerDevice);
        }
        if (persistentGrantIdleTimeoutNs <= 0)
        {
            throw new IllegalArgumentException(
                "persistent grant idle timeout must be positive: " + persistentGrantIdleTimeoutNs);
        }
        this.maxPersistentGrantsPerDevice = maxPersistentGrantsPerDevice;
        this.persistentGrantIdleTimeoutNs = persistentGrantIdleTimeoutNs;
        this.dispatcher = dispatcher;
        this.hypercalls = hypercalls;
        this.memory = memory;
        this.storageByDevice = storageByDevice;
        this.features = features;
        this.idleStrategies = idleStrategies;
        this.errorHandler = errorHandler;
    }

    /** Grant mappings the rings of one device may keep together with {@code feature-persistent}. */
    public int maxPersistentGrantsPerDevice()
    {
        return maxPersistentGrantsPerDevice;
    }

    @Override
    public String deviceType()
    {
        return DEVICE_TYPE;
    }

    @Override
    public XenbusNegotiation probe(final XenbusDevice device)
    {
        return features::write;
    }

    @Override
    public XenbusNegotiation connect(final XenbusDevice device, final XenbusTransaction frontend)
    {
        disconnect(device); // a stale connection (the front end re-initialised) never survives a new one
        final BlkbackFrontendDetails details =
            BlkbackFrontendDetails.parse(frontend, device.backendPath(), features);
        final BlockStorage storage = storageByDevice.apply(device);
        if (storage == null)
        {
            throw new XenbusProtocolException(device.backendPath() + ": no storage for this device");
        }
        final BlkbackGeometry geometry = BlkbackGeometry.of(storage, details.readOnly() || storage.isReadOnly());
        final List<Queue> queues = new ArrayList<>();
        // one budget per device: its rings share it, and each gives its share back when it goes
        final BlkbackPersistentGrantBudget persistentGrantBudget =
            new BlkbackPersistentGrantBudget(maxPersistentGrantsPerDevice, persistentGrantIdleTimeoutNs);
        try
        {
            for (int q = 0; q < details.queueCount(); q++)
            {
                final XenbusTransaction queueDir = details.queueCount() == 1 ? frontend :
                    frontend.at(frontend.dir() + "/" + QUEUE_DIR_PREFIX + q);
                queues.add(startQueue(device, q, queueDir, details, storage, geometry, persistentGrantBudget));
            }
        }
        catch (final RuntimeException ex)
        {
            for (final Queue queue : queues)
            {
                queue.close();
            }
            throw ex;
        }
        connections.put(key(device), new Connection(queues));
        return geometry::write;
    }

    private Queue startQueue(
        final XenbusDevice device,
        final int q,
        final XenbusTransaction queueDir,
        final BlkbackFrontendDetails details,
        final BlockStorage storage,
        final BlkbackGeometry geometry,
        final BlkbackPersistentGrantBudget persistentGrantBudget)
    {
        final XenbusBackRing mapped = XenbusBackRing.claim(hypercalls, queueDir, device.frontendDomid(),
            features.maxRingPageOrder());
        BlkbackBouncePages bounce = null;
        try
        {
            bounce = BlkbackBouncePages.claim(hypercalls, memory, BlkbackRing.bounceFramesNeeded(features));
            // the ring's 2^order pages, mapped as one range
            final int order = Integer.numberOfTrailingZeros(mapped.pageCount());
            final SharedRing shared = SharedRing.ofPageOrder(mapped.ring(), order, details.abi().layout());
            final BlkbackRing ring = new BlkbackRing(
                "blkback-d" + device.frontendDomid() + "-" + device.id() + "-q" + q,
                BackRing.attach(shared), details.abi(), storage, geometry, features, hypercalls,
                device.frontendDomid(), mapped.localPort(), bounce, details.persistent(), persistentGrantBudget,
                errorHandler);
            final EventIdleStrategy idle = idleStrategies.get();
            // req_event is armed only when the agent is about to park
            idle.parkGuard(() ->
            {
                if (!ring.armAndStillIdle())
                {
                    return false;
                }
                // kept grants go idle while we sleep too: wake in time to let go of them
                final long wakeInNs = ring.idleWakeInNs();
                if (wakeInNs >= 0)
                {
                    idle.wakeWithin(wakeInNs);
                }
                return true;
            });
            // a ring that has just served polls on, as its front end does while owed answers
            idle.pollWhile(ring::expectsRequests);
            final AgentRunner runner = new AgentRunner(idle, errorHandler, null, ring);
            // the front end's kick: delivered through dom0's pending bitmask and upcall, it wakes this ring's agent
            dispatcher.bind(mapped.localPort(), port -> idle.signal());
            AgentRunner.startOnThread(runner);
            return new Queue(runner, idle, ring, bounce, mapped, dispatcher);
        }
        catch (final RuntimeException ex)
        {
            new Queue(null, null, null, bounce, mapped, dispatcher).close();
            throw ex;
        }
    }

    @Override
    public void disconnect(final XenbusDevice device)
    {
        final Connection connection = connections.remove(key(device));
        if (connection != null)
        {
            connection.close();
        }
    }

    @Override
    public void remove(final XenbusDevice device)
    {
        disconnect(device);
    }

    /** The data path of a connected device's first queue, or {@code null}: for tests and tools. */
    public BlkbackRing ring(final XenbusDevice device)
    {
        final List<BlkbackRing> rings = rings(device);
        return rings.isEmpty() ? null : rings.get(0);
    }

    /** The data path of each queue of a connected device; empty if not connected. */
    public List<BlkbackRing> rings(final XenbusDevice device)
    {
        final Connection connection = connections.get(key(device));
        final List<BlkbackRing> rings = new ArrayList<>();
        if (connection != null)
        {
            connection.queues().forEach(queue -> rings.add(queue.ring()));
        }
        return rings;
    }

    private static String key(final XenbusDevice device)
    {
        return device.id() + "@" + device.frontendDomid();
    }
}
