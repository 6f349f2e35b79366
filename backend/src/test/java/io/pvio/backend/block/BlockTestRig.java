package io.pvio.backend.block;

import io.pvio.hypervisor.Hypervisor;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.guest.EventIdleStrategy;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.xenbus.SplitDriverHost;
import io.pvio.hypervisor.xenbus.XenbusBackendDriver;
import io.pvio.hypervisor.xenbus.XenbusClient;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusFrontendDriver;
import io.pvio.hypervisor.xenbus.XenbusToolstack;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The block tests' machine (shared with blkfront's tests through this module's test jar): a
 * {@link SplitDriverHost} whose dom0 runs {@link BlkbackXenbus} (or a stand-in) over storage the test provides, and
 * one guest whose front-end bus runs the driver under test. Real threads and real event delivery throughout; await
 * with Awaitility.
 */
public final class BlockTestRig implements AutoCloseable
{
    /** blkback's default bound on the mappings the rings of one device keep together. */
    public static final int DEFAULT_MAX_PERSISTENT_GRANTS_PER_DEVICE = BlkbackPersistentGrants.DEFAULT_MAX_PER_DEVICE;

    public final SplitDriverHost host;
    public final Hypervisor hv;
    public final XenbusToolstack toolstack;
    public final XenbusClient observer;
    public final SplitDriverHost.Guest guestHost;
    public final Domain guest;
    public final GrantAccess grants;
    public final Map<String, BlockStorage> storage = new ConcurrentHashMap<>();
    /** Whatever the back end reported: rejected requests ({@link BlkbackRequestException}), storage and ring faults. */
    public final List<Throwable> backendErrors = new CopyOnWriteArrayList<>();
    /** Whatever the buses, the front end or the framework reported. */
    public final List<Throwable> frontendErrors = new CopyOnWriteArrayList<>();
    public final BlkbackXenbus blkback;
    public final XenbusBackendDriver backendDriver;

    public BlockTestRig()
    {
        this(BlkbackFeatures.defaults());
    }

    public BlockTestRig(final BlkbackFeatures features)
    {
        this(features, null);
    }

    public BlockTestRig(final BlkbackFeatures features, final Function<BlockTestRig, XenbusBackendDriver> standIn)
    {
        this(features, standIn, null, null);
    }

    /**
     * @param standIn      if not null, dom0 runs this driver for {@code vbd} instead of blkback (a hostile back end).
     * @param backendSink  where blkback's reports go instead of {@link #backendErrors}, if not null.
     * @param frameworkSink where everything else goes instead of {@link #frontendErrors}, if not null.
     */
    public BlockTestRig(
        final BlkbackFeatures features,
        final Function<BlockTestRig, XenbusBackendDriver> standIn,
        final ErrorHandler backendSink,
        final ErrorHandler frameworkSink)
    {
        this(features, standIn, backendSink, frameworkSink, DEFAULT_MAX_PERSISTENT_GRANTS_PER_DEVICE);
    }

    /** blkback with {@code features} and at most {@code maxPersistentGrantsPerDevice} kept mappings per device. */
    public BlockTestRig(final BlkbackFeatures features, final int maxPersistentGrantsPerDevice)
    {
        this(features, null, null, null, maxPersistentGrantsPerDevice);
    }

    /**
     * @param maxPersistentGrantsPerDevice blkback's bound on the mappings the rings of one device keep together.
     */
    public BlockTestRig(
        final BlkbackFeatures features,
        final Function<BlockTestRig, XenbusBackendDriver> standIn,
        final ErrorHandler backendSink,
        final ErrorHandler frameworkSink,
        final int maxPersistentGrantsPerDevice)
    {
        this(features, standIn, backendSink, frameworkSink, maxPersistentGrantsPerDevice,
            BlkbackPersistentGrantBudget.DEFAULT_IDLE_TIMEOUT_NS);
    }

    /**
     * @param maxPersistentGrantsPerDevice  blkback's bound on the mappings the rings of one device keep together.
     * @param persistentGrantIdleTimeoutNs  after how long unused a ring unmaps a kept grant.
     */
    public BlockTestRig(
        final BlkbackFeatures features,
        final Function<BlockTestRig, XenbusBackendDriver> standIn,
        final ErrorHandler backendSink,
        final ErrorHandler frameworkSink,
        final int maxPersistentGrantsPerDevice,
        final long persistentGrantIdleTimeoutNs)
    {
        host = new SplitDriverHost(8192, 2048, frameworkSink != null ? frameworkSink : frontendErrors::add);
        hv = host.hypervisor();
        toolstack = host.toolstack();
        observer = host.observer();
        guestHost = host.createGuest(new DomainConfig().name("guest").memoryPages(16).maxPages(4096).grantFrames(8));
        guest = guestHost.domain();
        grants = guestHost.grants();
        blkback = new BlkbackXenbus(hv.dom0Hypercalls(), hv.dom0().guestMemory(), host.dom0Dispatcher(),
            device -> storage.get(device.id()), features, EventIdleStrategy::new,
            backendSink != null ? backendSink : backendErrors::add, maxPersistentGrantsPerDevice,
            persistentGrantIdleTimeoutNs);
        backendDriver = standIn == null ? blkback : standIn.apply(this);
        host.startBackendBus(backendDriver);
    }

    /** Starts the back-end bus again (after {@link #stopBackend}): it probes existing devices afresh. */
    public void startBackend()
    {
        host.startBackendBus(backendDriver);
    }

    /** The back end dies: its bus stops, every ring agent stops and its mappings go; the store still says Connected. */
    public void stopBackend()
    {
        host.stopBackendBus();
    }

    public AgentRunner startFrontend(final XenbusFrontendDriver driver)
    {
        return guestHost.startFrontendBus(driver);
    }

    /** Attaches {@code vbd/<id>} backed by {@code disk}, writing {@code mode} first if not null. */
    public XenbusDevice attach(final String id, final BlockStorage disk, final String mode)
    {
        final XenbusDevice device = new XenbusDevice(BlkbackXenbus.DEVICE_TYPE, id, guest.domid(), 0);
        storage.put(id, disk);
        if (mode != null)
        {
            observer.xs().write(0, device.backendPath() + "/" + BlkbackFrontendDetails.MODE, mode);
        }
        return host.attach(device);
    }

    /** A fresh zeroed guest page. */
    public long allocateGuestPage()
    {
        return allocateGuestPages(1)[0];
    }

    /** {@code count} fresh zeroed guest pages. */
    public long[] allocateGuestPages(final int count)
    {
        final long[] gfns = new long[count];
        final int added = guest.hypercalls().memory().increaseReservation(DomainId.SELF, count, gfns);
        if (added != count)
        {
            throw new IllegalStateException("only " + added + " guest pages");
        }
        return gfns;
    }

    @Override
    public void close()
    {
        host.close();
    }
}
