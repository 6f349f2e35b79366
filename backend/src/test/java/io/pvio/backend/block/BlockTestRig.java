package io.pvio.backend.block;

import io.pvio.hypervisor.Hypervisor;
import io.pvio.hypervisor.HypervisorConfig;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.domain.VcpuScheduling;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.guest.IdleGuest;
import io.pvio.hypervisor.xenbus.XenbusBackendBus;
import io.pvio.hypervisor.xenbus.XenbusClient;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusFrontendBus;
import io.pvio.hypervisor.xenbus.XenbusFrontendDriver;
import io.pvio.hypervisor.xenbus.XenbusToolstack;
import io.pvio.hypervisor.xenstore.XenStore;
import io.pvio.hypervisor.xenstore.XenStoreClient;
import io.pvio.hypervisor.xenstore.XsQuota;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real hypervisor, XenStore and xenbus for block tests: dom0 runs the back-end bus with {@link BlkbackXenbus},
 * one guest runs a front-end bus with the driver under test. Real threads; await with Awaitility.
 */
final class BlockTestRig implements AutoCloseable
{
    final Hypervisor hv;
    final XenStore store = new XenStore(XsQuota.defaults());
    final XenbusToolstack toolstack;
    final XenbusClient observer;
    final Domain guest;
    final GrantAccess grants;
    final Map<String, BlockStorage> storage = new ConcurrentHashMap<>();
    final List<Throwable> backendErrors = new CopyOnWriteArrayList<>();
    final List<Throwable> frontendErrors = new CopyOnWriteArrayList<>();
    final BlkbackXenbus blkback;
    private final List<AgentRunner> runners = new CopyOnWriteArrayList<>();
    private AgentRunner backendBus;

    BlockTestRig()
    {
        this(BlkbackFeatures.defaults());
    }

    BlockTestRig(final BlkbackFeatures features)
    {
        hv = Hypervisor.boot(new HypervisorConfig()
            .machineFrames(2048)
            .threadedReaper(false)
            .dom0(new DomainConfig().name("dom0").memoryPages(16).maxPages(1024).maxPorts(256)
                .maptrackEntries(1024).vcpuScheduling(VcpuScheduling.MANUAL).image(IdleGuest.image())));
        final XenStoreClient dom0 = new XenStoreClient(store, 0, true);
        toolstack = new XenbusToolstack(dom0);
        observer = new XenbusClient(dom0);
        guest = hv.domain(hv.dom0Hypercalls().domctl().createDomain(new DomainConfig().name("guest")
            .memoryPages(16).maxPages(256).grantFrames(2).vcpuScheduling(VcpuScheduling.MANUAL)
            .image(IdleGuest.image())));
        hv.dom0Hypercalls().domctl().unpauseDomain(guest.domid());
        toolstack.createHome(guest.domid());
        grants = new GrantAccess(guest.guestMemory(), guest.startInfo());
        blkback = new BlkbackXenbus(hv.dom0Hypercalls(), hv.dom0().guestMemory(),
            device -> storage.get(device.id()), features, BlockTestRig::idle, backendErrors::add);
        startBackend();
    }

    static BackoffIdleStrategy idle()
    {
        return new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1));
    }

    /** Starts the back-end bus (again, after {@link #stopBackend}). */
    void startBackend()
    {
        final XenbusBackendBus bus = new XenbusBackendBus(new XenStoreClient(store, 0, true), backendErrors::add);
        bus.register(blkback);
        backendBus = start(bus);
    }

    /** Stops the back-end bus as if dom0's back end died: its rings are stopped and unmapped. */
    void stopBackend()
    {
        backendBus.close();
        runners.remove(backendBus);
    }

    void startFrontend(final XenbusFrontendDriver driver)
    {
        final XenbusFrontendBus bus =
            new XenbusFrontendBus(new XenStoreClient(store, guest.domid(), false), frontendErrors::add);
        bus.register(driver);
        start(bus);
    }

    AgentRunner start(final Agent agent)
    {
        final AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(1), frontendErrors::add, null,
            agent);
        AgentRunner.startOnThread(runner);
        runners.add(runner);
        return runner;
    }

    /** Attaches {@code vbd/<id>} backed by {@code disk}, writing {@code mode} first if not null. */
    XenbusDevice attach(final String id, final BlockStorage disk, final String mode)
    {
        final XenbusDevice device = new XenbusDevice(BlkbackXenbus.DEVICE_TYPE, id, guest.domid(), 0);
        storage.put(id, disk);
        if (mode != null)
        {
            observer.xs().write(0, device.backendPath() + "/" + BlkbackFrontendDetails.MODE, mode);
        }
        toolstack.attach(device);
        return device;
    }

    /** A fresh zeroed guest page. */
    long allocateGuestPage()
    {
        final long[] gfn = new long[1];
        guest.hypercalls().memory().increaseReservation(io.pvio.hypervisor.domain.DomainId.SELF, 1, gfn);
        return gfn[0];
    }

    @Override
    public void close()
    {
        for (int i = runners.size() - 1; i >= 0; i--)
        {
            runners.get(i).close();
        }
        hv.close();
    }
}
