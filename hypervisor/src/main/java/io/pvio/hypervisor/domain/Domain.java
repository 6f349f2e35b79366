package io.pvio.hypervisor.domain;

import io.pvio.hypervisor.evtchn.EventChannelTable;
import io.pvio.hypervisor.evtchn.EventChannels;
import io.pvio.hypervisor.grant.GrantTable;
import io.pvio.hypervisor.grant.Maptrack;
import io.pvio.hypervisor.hypercall.HypercallCounters;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.memory.GuestMemory;
import io.pvio.hypervisor.memory.MachineMemory;
import io.pvio.hypervisor.memory.Physmap;
import io.pvio.hypervisor.memory.SinkFrame;
import io.pvio.ring.evtchn.SharedInfoFlyweight;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.locks.StampedLock;

/**
 * One domain: its memory, event channel ports, grant table, grant mappings, vCPUs and hypercall interface.
 * <p>
 * <b>Entering.</b> Anything that reaches into this domain's frames or tables on behalf of another domain (event
 * delivery, grant map or copy) brackets the access with {@link #tryEnter()} / {@link #exit(long)}: a shared hold
 * that fails once teardown has begun. Teardown publishes {@link DomainState#DYING}, then takes the exclusive hold
 * once, which waits out every access that entered before; only then are ports, mappings and frames reclaimed.
 * <p>
 * <b>Layout of the pseudo-physical space.</b> gfn {@value #SHARED_INFO_GFN} is {@code shared_info}; gfns
 * {@value #FIRST_GRANT_TABLE_GFN} .. grantFrames are the grant table; all are pinned (the guest cannot balloon them
 * out) and come from the initial reservation.
 */
public final class Domain
{
    /** Where shared_info lives in every domain. */
    public static final long SHARED_INFO_GFN = 0;
    /** The first grant table frame in every domain. */
    public static final long FIRST_GRANT_TABLE_GFN = 1;

    private final DomainManager manager;
    private final int domid;
    private final int token;
    private final boolean privileged;
    private final String name;
    private final VcpuScheduling scheduling;
    private final StampedLock lifecycle = new StampedLock();
    private final SinkFrame sink;
    private final Physmap physmap;
    private final GuestMemory guestMemory;
    private final EventChannelTable ports;
    private final GrantTable grantTable;
    private final Maptrack maptrack;
    private final Vcpu[] vcpus;
    private final HypercallCounters counters = new HypercallCounters();
    private final Hypercalls hypercalls;
    private final StartInfo startInfo;

    private volatile DomainState state = DomainState.PAUSED;
    private volatile ShutdownReason shutdownReason;
    private volatile Throwable crashCause;

    Domain(
        final DomainManager manager,
        final int domid,
        final int token,
        final boolean privileged,
        final DomainConfig config,
        final Physmap physmap,
        final SinkFrame sink)
    {
        this.manager = manager;
        this.domid = domid;
        this.token = token;
        this.privileged = privileged;
        this.name = config.name();
        this.scheduling = config.vcpuScheduling();
        this.physmap = physmap;
        this.sink = sink;
        this.guestMemory = new GuestMemory(physmap);

        final MachineMemory memory = manager.memory();
        physmap.pin(SHARED_INFO_GFN);
        final SharedInfoFlyweight sharedInfo =
            new SharedInfoFlyweight().wrap(memory.newFrameView(physmap.mfn(SHARED_INFO_GFN)), 0);
        final AtomicBuffer[] grantFrames = new AtomicBuffer[config.grantFrames()];
        final long[] grantGfns = new long[config.grantFrames()];
        for (int i = 0; i < grantFrames.length; i++)
        {
            grantGfns[i] = FIRST_GRANT_TABLE_GFN + i;
            physmap.pin(grantGfns[i]);
            grantFrames[i] = memory.newFrameView(physmap.mfn(grantGfns[i]));
        }
        this.ports = new EventChannelTable(domid, config.vcpuCount(), config.maxPorts(), sharedInfo, this::kickVcpu);
        this.grantTable = new GrantTable(memory, physmap, grantFrames);
        this.maptrack = new Maptrack(config.maptrackEntries(), memory, sink);
        this.startInfo = new StartInfo(domid, config.vcpuCount(), physmap.populatedPages(), physmap.gfnCount(),
            SHARED_INFO_GFN, grantGfns);
        this.vcpus = new Vcpu[config.vcpuCount()];
        for (int i = 0; i < vcpus.length; i++)
        {
            vcpus[i] = new Vcpu(
                this, i, sharedInfo, manager.clock(), config.pollIdleStrategy().get(), config.maxBlockNs());
        }
        this.hypercalls = new Hypercalls(this, manager);
    }

    /** Asks the image for each vCPU's code; called once before the domain is published. */
    void load(final GuestImage image)
    {
        for (final Vcpu vcpu : vcpus)
        {
            vcpu.code(image.vcpuCode(vcpu.context()));
        }
    }

    public int domid()
    {
        return domid;
    }

    /** Unique for the hypervisor's lifetime (unlike domids, never reused); owner tag of the domain's frames. */
    public int token()
    {
        return token;
    }

    /** Whether this is dom0, the only domain allowed domain control. */
    public boolean isPrivileged()
    {
        return privileged;
    }

    public String name()
    {
        return name;
    }

    public DomainState state()
    {
        return state;
    }

    /** Why the domain shut down, or {@code null} if it has not. */
    public ShutdownReason shutdownReason()
    {
        return shutdownReason;
    }

    /** What the guest threw when it crashed, or {@code null}. */
    public Throwable crashCause()
    {
        return crashCause;
    }

    public VcpuScheduling scheduling()
    {
        return scheduling;
    }

    public int vcpuCount()
    {
        return vcpus.length;
    }

    public Vcpu vcpu(final int vcpuId)
    {
        return vcpus[vcpuId];
    }

    /** This domain's hypercall interface, bound to its id: the only way its code reaches the hypervisor. */
    public Hypercalls hypercalls()
    {
        return hypercalls;
    }

    public HypercallCounters counters()
    {
        return counters;
    }

    public StartInfo startInfo()
    {
        return startInfo;
    }

    public GuestMemory guestMemory()
    {
        return guestMemory;
    }

    // ---- hypervisor internals ----

    public Physmap physmap()
    {
        return physmap;
    }

    public EventChannelTable ports()
    {
        return ports;
    }

    public GrantTable grantTable()
    {
        return grantTable;
    }

    public Maptrack maptrack()
    {
        return maptrack;
    }

    public EventChannels eventChannels()
    {
        return manager.eventChannels();
    }

    public NanoClock clock()
    {
        return manager.clock();
    }

    SinkFrame sink()
    {
        return sink;
    }

    /**
     * Enters the domain for a cross-domain access. Allocation-free, never blocks.
     *
     * @return a stamp for {@link #exit(long)}, or 0 if the domain is being torn down (do not touch it).
     */
    public long tryEnter()
    {
        final long stamp = lifecycle.tryReadLock();
        if (stamp == 0)
        {
            return 0;
        }
        if (!state.holdsResources())
        {
            lifecycle.unlockRead(stamp);
            return 0;
        }
        return stamp;
    }

    /** Leaves after a successful {@link #tryEnter()}. */
    public void exit(final long stamp)
    {
        lifecycle.unlockRead(stamp);
    }

    private void kickVcpu(final int vcpuId)
    {
        vcpus[vcpuId].kick();
    }

    // ---- state changes (control path) ----

    synchronized boolean pause()
    {
        if (state == DomainState.RUNNING)
        {
            state = DomainState.PAUSED;
            return true;
        }
        return state == DomainState.PAUSED;
    }

    synchronized boolean unpause()
    {
        if (state != DomainState.PAUSED && state != DomainState.RUNNING)
        {
            return false;
        }
        state = DomainState.RUNNING;
        for (final Vcpu vcpu : vcpus)
        {
            if (scheduling == VcpuScheduling.THREADED)
            {
                vcpu.startThread(manager.errorHandler());
            }
            vcpu.wake();
        }
        return true;
    }

    /**
     * {@code SCHEDOP_shutdown} (or a crash): the vCPUs stop running guest code at their next safe point; the
     * manager reports it to dom0 and queues the teardown.
     */
    public void shutdown(final ShutdownReason reason)
    {
        synchronized (this)
        {
            if (state != DomainState.RUNNING && state != DomainState.PAUSED)
            {
                return;
            }
            shutdownReason = reason;
            state = DomainState.SHUTDOWN;
        }
        manager.onShutdown(this);
    }

    /** Guest code threw: the domain crashes. */
    void crash(final Throwable cause)
    {
        if (crashCause == null)
        {
            crashCause = cause;
        }
        shutdown(ShutdownReason.CRASH);
    }

    /**
     * Starts teardown: publishes DYING, then waits out every access that entered before.
     *
     * @return false if teardown already began.
     */
    boolean beginTeardown()
    {
        synchronized (this)
        {
            if (state == DomainState.DYING || state == DomainState.DEAD)
            {
                return false;
            }
            state = DomainState.DYING;
        }
        // every tryEnter() that saw a live state has exited once we hold this; later ones see DYING.
        final long stamp = lifecycle.writeLock();
        lifecycle.unlockWrite(stamp);
        return true;
    }

    /** Stops every vCPU and waits for their threads. Never from one of this domain's own vCPU threads. */
    void stopVcpus()
    {
        for (final Vcpu vcpu : vcpus)
        {
            if (vcpu.isCurrentThread())
            {
                throw new IllegalStateException("d" + domid + " cannot stop its own vCPU from its thread");
            }
        }
        for (final Vcpu vcpu : vcpus)
        {
            vcpu.stop();
        }
    }

    synchronized void markDead()
    {
        state = DomainState.DEAD;
        notifyAll();
    }

    /** Waits until another thread's teardown of this domain has finished. */
    synchronized void awaitDead()
    {
        boolean interrupted = false;
        while (state != DomainState.DEAD)
        {
            try
            {
                wait();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString()
    {
        return "Domain{d" + domid + " " + name + " " + state + "}";
    }
}
