package io.pvio.hypervisor.xenbus;

import io.pvio.hypervisor.Hypervisor;
import io.pvio.hypervisor.HypervisorConfig;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.domain.VcpuScheduling;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.guest.IdleGuest;
import io.pvio.hypervisor.guest.UpcallDispatcher;
import io.pvio.hypervisor.xenstore.XenStore;
import io.pvio.hypervisor.xenstore.XenStoreClient;
import io.pvio.hypervisor.xenstore.XsQuota;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A whole machine for split drivers, in one object: a booted {@link Hypervisor}, a {@link XenStore} with a
 * toolstack, dom0 running a {@link XenbusBackendBus} with the back-end drivers given, and guests each running a
 * {@link XenbusFrontendBus}. Every domain's vCPUs run on their own threads as {@link IdleGuest}s, so an event sent to
 * a domain sets its pending bit, wakes its vCPU and reaches the handler bound on its {@link UpcallDispatcher}: the
 * drivers' agents are woken by real virtual interrupts. Tests, examples and benchmarks build on it:
 * <pre>{@code
 * try (SplitDriverHost host = new SplitDriverHost(8192, 1024, errors::add)) {
 *     host.startBackendBus(myBackDriver);
 *     SplitDriverHost.Guest guest = host.createGuest(new DomainConfig().name("guest").maxPages(4096));
 *     guest.startFrontendBus(myFrontDriver);
 *     host.attach(new XenbusDevice("vfoo", "0", guest.domid(), 0));
 * }
 * }</pre>
 */
public final class SplitDriverHost implements AutoCloseable
{
    /** One guest domain: its grant table, event upcall and (once started) front-end bus. */
    public final class Guest
    {
        private final Domain domain;
        private final GrantAccess grants;
        private final UpcallDispatcher dispatcher;

        private Guest(final Domain domain, final UpcallDispatcher dispatcher)
        {
            this.domain = domain;
            this.dispatcher = dispatcher;
            this.grants = new GrantAccess(domain.guestMemory(), domain.startInfo());
        }

        public Domain domain()
        {
            return domain;
        }

        public int domid()
        {
            return domain.domid();
        }

        /** The guest's grant table (one per guest: its drivers share it, synchronising on it). */
        public GrantAccess grants()
        {
            return grants;
        }

        /** The guest's event upcall: bind ports here to be woken by events. */
        public UpcallDispatcher dispatcher()
        {
            return dispatcher;
        }

        /** Starts this guest's front-end bus with {@code drivers}. */
        public AgentRunner startFrontendBus(final XenbusFrontendDriver... drivers)
        {
            final XenbusFrontendBus bus = new XenbusFrontendBus(new XenStoreClient(store, domid(), false), errors);
            for (final XenbusFrontendDriver driver : drivers)
            {
                bus.register(driver);
            }
            return start(bus);
        }
    }

    /**
     * dom0's grant mappings: a back end may keep thousands per device (blkback's persistent grants, 8,192 per device
     * by default, as Linux's {@code max_persistent_grants}), so one guest's device must not use up what the next
     * guest's rings need: eight such devices fit in full (Xen's default maptrack is larger still).
     */
    public static final int DOM0_MAPTRACK_ENTRIES = 65536;

    private final Hypervisor hypervisor;
    private final XenStore store = new XenStore(XsQuota.defaults());
    private final XenbusToolstack toolstack;
    private final XenbusClient observer;
    private final UpcallDispatcher dom0Dispatcher;
    private final ErrorHandler errors;
    private final List<AgentRunner> runners = new CopyOnWriteArrayList<>();
    private volatile XenbusBackendDriver[] backendDrivers;
    private volatile AgentRunner backendBus;

    /**
     * Boots the hypervisor with dom0.
     *
     * @param machineFrames 4 KiB frames of machine memory.
     * @param dom0MaxPages  dom0's reservation ceiling (its back ends' bounce and mapping needs).
     * @param errors        receives whatever a bus or agent throws.
     */
    public SplitDriverHost(final int machineFrames, final int dom0MaxPages, final ErrorHandler errors)
    {
        this.errors = errors;
        final AtomicReference<UpcallDispatcher> dom0Upcall = new AtomicReference<>();
        hypervisor = Hypervisor.boot(new HypervisorConfig()
            .machineFrames(machineFrames)
            .threadedReaper(false)
            .errorHandler(errors)
            .dom0(new DomainConfig().name("dom0").memoryPages(16).maxPages(dom0MaxPages).maxPorts(256)
                .maptrackEntries(DOM0_MAPTRACK_ENTRIES).vcpuScheduling(VcpuScheduling.THREADED)
                .image(IdleGuest.image(dom0Upcall::set))));
        dom0Dispatcher = dom0Upcall.get();
        final XenStoreClient dom0Xs = new XenStoreClient(store, 0, true);
        toolstack = new XenbusToolstack(dom0Xs);
        observer = new XenbusClient(dom0Xs);
    }

    public Hypervisor hypervisor()
    {
        return hypervisor;
    }

    public XenStore store()
    {
        return store;
    }

    public XenbusToolstack toolstack()
    {
        return toolstack;
    }

    /** A privileged xenbus client, to read states and keys. */
    public XenbusClient observer()
    {
        return observer;
    }

    public Domain dom0()
    {
        return hypervisor.dom0();
    }

    /** dom0's event upcall: back ends bind their ports here. */
    public UpcallDispatcher dom0Dispatcher()
    {
        return dom0Dispatcher;
    }

    /**
     * Creates and unpauses a guest from {@code config} (its vCPUs threaded, idle until events; the image in the
     * config is replaced) and gives it a XenStore home.
     */
    public Guest createGuest(final DomainConfig config)
    {
        final AtomicReference<UpcallDispatcher> upcall = new AtomicReference<>();
        final int domid = hypervisor.dom0Hypercalls().domctl().createDomain(
            config.vcpuScheduling(VcpuScheduling.THREADED).image(IdleGuest.image(upcall::set)));
        final Guest guest = new Guest(hypervisor.domain(domid), upcall.get());
        hypervisor.dom0Hypercalls().domctl().unpauseDomain(domid);
        toolstack.createHome(domid);
        return guest;
    }

    /** Starts dom0's back-end bus with {@code drivers} (remembered for {@link #restartBackendBus}). */
    public synchronized void startBackendBus(final XenbusBackendDriver... drivers)
    {
        if (backendBus != null)
        {
            throw new IllegalStateException("the back-end bus is running");
        }
        backendDrivers = drivers.clone();
        final XenbusBackendBus bus = new XenbusBackendBus(new XenStoreClient(store, 0, true), errors);
        for (final XenbusBackendDriver driver : drivers)
        {
            bus.register(driver);
        }
        backendBus = start(bus);
    }

    /**
     * The back end dies: its bus stops, and with it every back-end connection (agents stopped, mappings gone). The
     * store still says Connected, as it would after a crashed driver domain.
     */
    public synchronized void stopBackendBus()
    {
        if (backendBus != null)
        {
            backendBus.close();
            runners.remove(backendBus);
            backendBus = null;
        }
    }

    /** Starts the back-end bus again with the same drivers: it probes the existing devices afresh. */
    public synchronized void restartBackendBus()
    {
        stopBackendBus();
        startBackendBus(backendDrivers);
    }

    /** Writes the device's directories (the toolstack's attach): both ends then run the handshake. */
    public XenbusDevice attach(final XenbusDevice device)
    {
        toolstack.attach(device);
        return device;
    }

    /** Runs {@code agent} on its own thread until {@link #close}, sleeping 1 ms when idle (control-path agents). */
    public AgentRunner start(final Agent agent)
    {
        final AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(1), errors, null, agent);
        AgentRunner.startOnThread(runner);
        runners.add(runner);
        return runner;
    }

    /** Stops every agent started here (latest first), then the hypervisor and every domain. */
    @Override
    public void close()
    {
        for (int i = runners.size() - 1; i >= 0; i--)
        {
            runners.get(i).close();
        }
        runners.clear();
        hypervisor.close();
    }
}
