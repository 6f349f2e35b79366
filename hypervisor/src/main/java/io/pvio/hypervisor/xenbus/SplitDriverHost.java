package io.pvio.hypervisor.xenbus;

import io.pvio.hypervisor.Hypervisor;
import io.pvio.hypervisor.HypervisorConfig;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.domain.VcpuScheduling;
import io.pvio.hypervisor.guest.EventIdleStrategy;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.guest.IdleGuest;
import io.pvio.hypervisor.guest.UpcallDispatcher;
import io.pvio.hypervisor.xenstore.XenStore;
import io.pvio.hypervisor.xenstore.XenStoreClient;
import io.pvio.hypervisor.xenstore.XsQuota;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A whole machine for split drivers, in one object: a booted {@link Hypervisor}, a {@link XenStore} with a
 * toolstack, dom0 running a {@link XenbusBackendBus} with the back-end drivers given, and guests each running a
 * {@link XenbusFrontendBus}. Every domain's vCPUs run on their own threads as {@link IdleGuest}s, so an event sent to
 * a domain sets its pending bit, wakes its vCPU and reaches the handler bound on its {@link UpcallDispatcher}: the
 * drivers' agents are woken by real virtual interrupts. The buses sleep until their XenStore connection has a watch
 * event for them (as Linux's xenwatch thread), so an idle machine costs no wake-ups. Tests, examples and benchmarks
 * build on it:
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

        /**
         * Starts this guest's front-end bus with {@code drivers}, asleep until it has work (a watch event, a new
         * driver); it runs until {@link SplitDriverHost#close} or {@link SplitDriverHost#stop}.
         */
        public AgentRunner startFrontendBus(final XenbusFrontendDriver... drivers)
        {
            final XenbusFrontendBus bus = new XenbusFrontendBus(new XenStoreClient(store, domid(), false), errors);
            for (final XenbusFrontendDriver driver : drivers)
            {
                bus.register(driver);
            }
            return startBus(bus);
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
    private final List<Started> started = new CopyOnWriteArrayList<>();
    private volatile XenbusBackendDriver[] backendDrivers;
    private volatile AgentRunner backendBus;

    /** An agent started here, and the idle strategy to wake before its runner is closed ({@code null}: it polls). */
    private record Started(AgentRunner runner, EventIdleStrategy idleStrategy)
    {
        void close()
        {
            if (idleStrategy != null)
            {
                // it never parks again, so the runner's close joins its thread at once rather than waiting out its
                // retry timeout for an event and interrupting it
                idleStrategy.shutdown();
            }
            runner.close();
        }
    }

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
        backendBus = startBus(bus);
    }

    /**
     * The back end dies: its bus stops, and with it every back-end connection (agents stopped, mappings gone). The
     * store still says Connected, as it would after a crashed driver domain.
     */
    public synchronized void stopBackendBus()
    {
        if (backendBus != null)
        {
            stop(backendBus);
        }
    }

    /** Starts the back-end bus again with the same drivers: it probes the existing devices afresh. */
    public synchronized void restartBackendBus()
    {
        stopBackendBus();
        startBackendBus(backendDrivers);
    }

    /** The back-end bus's runner, {@code null} while it is stopped (for tests). */
    AgentRunner backendBusRunner()
    {
        return backendBus;
    }

    /** Writes the device's directories (the toolstack's attach): both ends then run the handshake. */
    public XenbusDevice attach(final XenbusDevice device)
    {
        toolstack.attach(device);
        return device;
    }

    /**
     * Runs {@code agent} on its own thread until {@link #close}, sleeping 1 ms when idle: for a control-path agent
     * that nothing signals, which must therefore look for work on its own. One that can be told when it has work
     * should use {@link #start(Agent, EventIdleStrategy)}.
     */
    public AgentRunner start(final Agent agent)
    {
        return start(agent, new SleepingMillisIdleStrategy(1), null);
    }

    /**
     * Runs {@code agent} on its own thread until {@link #close}, parked on {@code idleStrategy} when idle until
     * something that has work for it calls {@link EventIdleStrategy#signal()} (wire that before this call). Stopping
     * it ({@link #close}, {@link #stop}) shuts the strategy down first, so it is never waited for.
     */
    public AgentRunner start(final Agent agent, final EventIdleStrategy idleStrategy)
    {
        return start(agent, idleStrategy, idleStrategy);
    }

    /**
     * Stops an agent started here and forgets it: wakes it for good if it sleeps until signalled, then closes its
     * runner (prefer this to {@link AgentRunner#close()}, which would wait for a sleeping agent's next event).
     */
    public synchronized void stop(final AgentRunner runner)
    {
        if (runner == backendBus)
        {
            backendBus = null;
        }
        for (final Started agent : started)
        {
            if (agent.runner() == runner)
            {
                agent.close();
                started.remove(agent);
                return;
            }
        }
        runner.close();
    }

    /** Stops every agent started here (latest first), then the hypervisor and every domain. */
    @Override
    public void close()
    {
        for (int i = started.size() - 1; i >= 0; i--)
        {
            started.get(i).close();
        }
        started.clear();
        hypervisor.close();
    }

    /**
     * Runs a bus asleep until it has work: its XenStore connection signals the bus's idle strategy after queueing
     * each watch event for it (or dropping one, its queue full), and {@link XenbusBus#register} signals it too. It
     * never spins: the control path wakes only for events, and so leaves the CPUs to the data path.
     */
    private AgentRunner startBus(final XenbusBus<?> bus)
    {
        final EventIdleStrategy idleStrategy = new EventIdleStrategy(0);
        if (!bus.signalOnWork(idleStrategy::signal))
        {
            throw new IllegalStateException(bus.roleName() + ": its XenStore connection cannot signal");
        }
        return start(bus, idleStrategy);
    }

    private AgentRunner start(final Agent agent, final IdleStrategy idleStrategy, final EventIdleStrategy toWake)
    {
        final AgentRunner runner = new AgentRunner(idleStrategy, errors, null, agent);
        started.add(new Started(runner, toWake));
        AgentRunner.startOnThread(runner);
        return runner;
    }
}
