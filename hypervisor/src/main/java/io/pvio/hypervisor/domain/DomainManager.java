package io.pvio.hypervisor.domain;

import io.pvio.hypervisor.evtchn.EventChannels;
import io.pvio.hypervisor.evtchn.Virq;
import io.pvio.hypervisor.grant.GrantTables;
import io.pvio.hypervisor.hypercall.HypercallException;
import io.pvio.hypervisor.hypercall.HypercallOp;
import io.pvio.hypervisor.hypercall.XenErrno;
import io.pvio.hypervisor.memory.MachineMemory;
import io.pvio.hypervisor.memory.Physmap;
import io.pvio.hypervisor.memory.SinkFrame;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds, runs and reclaims domains; the home of the hypervisor-wide services ({@link DomainTable},
 * {@link EventChannels}, {@link GrantTables}, the clock). Dom0's domain-control hypercalls land here.
 * <p>
 * <b>Teardown</b> ({@link #teardown}), whether dom0 destroys a domain or the {@link DomainReaper} reclaims one that
 * shut down: publish DYING and wait out cross-domain accesses in flight; stop the vCPUs (joining their threads);
 * close every port (peers see theirs unbound); end every grant mapping the domain holds; release every frame (a
 * frame someone else still maps survives until its last unmap); mark DEAD; raise {@code VIRQ_DOM_EXC} in dom0.
 */
public final class DomainManager
{
    private final MachineMemory memory;
    private final NanoClock clock;
    private final ErrorHandler errorHandler;
    private final DomainTable domains = new DomainTable();
    private final EventChannels eventChannels = new EventChannels(domains);
    private final GrantTables grantTables;
    private final DomainReaper reaper = new DomainReaper(this);
    private final AtomicInteger nextToken = new AtomicInteger(MachineMemory.NO_OWNER + 1);
    private volatile Domain dom0;

    /**
     * @param memory       the machine's frames.
     * @param clock        system time for vCPU timers.
     * @param errorHandler where failures of hypervisor threads are reported.
     */
    public DomainManager(final MachineMemory memory, final NanoClock clock, final ErrorHandler errorHandler)
    {
        this.memory = memory;
        this.clock = clock;
        this.errorHandler = errorHandler;
        this.grantTables = new GrantTables(domains, memory);
    }

    public MachineMemory memory()
    {
        return memory;
    }

    public NanoClock clock()
    {
        return clock;
    }

    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    public DomainTable domains()
    {
        return domains;
    }

    public EventChannels eventChannels()
    {
        return eventChannels;
    }

    public GrantTables grantTables()
    {
        return grantTables;
    }

    public DomainReaper reaper()
    {
        return reaper;
    }

    /** The control domain, or {@code null} before boot. */
    public Domain dom0()
    {
        return dom0;
    }

    /** Builds dom0 (paused). Once, at boot. */
    public Domain createDom0(final DomainConfig config)
    {
        domains.reserveDom0();
        final Domain domain = build(DomainId.DOM0, true, config);
        dom0 = domain;
        return domain;
    }

    /**
     * {@code XEN_DOMCTL_createdomain} plus the toolstack's build: a new paused domU.
     *
     * @throws HypercallException EINVAL for a bad config, ENOSPC when no domain id is free, ENOMEM when the
     * machine cannot hold its initial reservation.
     */
    public Domain create(final DomainConfig config)
    {
        final String invalid = config.validate();
        if (invalid != null)
        {
            throw new HypercallException(XenErrno.EINVAL, HypercallOp.DOMCTL_CREATEDOMAIN, invalid);
        }
        final int domid = domains.allocateId();
        if (domid < 0)
        {
            throw new HypercallException(XenErrno.ENOSPC, HypercallOp.DOMCTL_CREATEDOMAIN, "no free domain id");
        }
        try
        {
            return build(domid, false, config);
        }
        catch (final RuntimeException ex)
        {
            domains.remove(domid);
            throw ex;
        }
    }

    private Domain build(final int domid, final boolean privileged, final DomainConfig config)
    {
        final String invalid = config.validate();
        if (invalid != null)
        {
            throw new HypercallException(XenErrno.EINVAL, HypercallOp.DOMCTL_CREATEDOMAIN, invalid);
        }
        final SinkFrame sink = new SinkFrame();
        final Physmap physmap =
            new Physmap(memory, nextToken.getAndIncrement(), config.gfnCount(), config.maxPages(), sink);
        try
        {
            for (int gfn = 0; gfn < config.memoryPages(); gfn++)
            {
                if (physmap.populate(gfn) < 0)
                {
                    throw new HypercallException(XenErrno.ENOMEM, HypercallOp.DOMCTL_CREATEDOMAIN,
                        config.memoryPages() + " frames wanted, " + memory.freeFrameCount() + " free");
                }
            }
            final Domain domain = new Domain(this, domid, physmap.ownerToken(), privileged, config, physmap, sink);
            domain.load(config.image());
            domains.publish(domain);
            return domain;
        }
        catch (final RuntimeException ex)
        {
            physmap.releaseAll();
            throw ex;
        }
    }

    /** {@code XEN_DOMCTL_pausedomain}: vCPUs stop running guest code after their current cycle. */
    public void pause(final Domain domain)
    {
        if (!domain.pause())
        {
            throw new HypercallException(XenErrno.EINVAL, HypercallOp.DOMCTL_PAUSEDOMAIN, domain + " cannot pause");
        }
    }

    /** {@code XEN_DOMCTL_unpausedomain}: runs the domain (starting its vCPU threads the first time). */
    public void unpause(final Domain domain)
    {
        if (!domain.unpause())
        {
            throw new HypercallException(XenErrno.EINVAL, HypercallOp.DOMCTL_UNPAUSEDOMAIN,
                domain + " cannot run");
        }
    }

    /**
     * {@code XEN_DOMCTL_destroydomain}: tears the domain down (if the reaper has not already) and frees its id.
     * Returns once everything it held is reclaimed (frames others still map excepted, until they unmap).
     */
    public void destroy(final Domain domain)
    {
        if (domain.isPrivileged())
        {
            throw new HypercallException(XenErrno.EINVAL, HypercallOp.DOMCTL_DESTROYDOMAIN, "dom0 cannot be destroyed");
        }
        if (!teardown(domain))
        {
            domain.awaitDead();
        }
        domains.remove(domain.domid());
    }

    /** A guest shut down or crashed: tell dom0 and queue the teardown (dom0's own shutdown only stops it). */
    void onShutdown(final Domain domain)
    {
        if (domain.isPrivileged())
        {
            return;
        }
        raiseDomExc();
        reaper.enqueue(domain);
    }

    /**
     * Reclaims everything {@code domain} holds; see the class comment.
     *
     * @return false if another thread already started (or finished) this domain's teardown.
     */
    boolean teardown(final Domain domain)
    {
        if (!domain.beginTeardown())
        {
            return false;
        }
        try
        {
            domain.stopVcpus();
            eventChannels.closeAll(domain);
            grantTables.releaseAllMappings(domain);
            domain.physmap().releaseAll();
        }
        finally
        {
            domain.markDead();
        }
        if (!domain.isPrivileged())
        {
            raiseDomExc();
        }
        return true;
    }

    private void raiseDomExc()
    {
        final Domain control = dom0;
        if (control != null)
        {
            eventChannels.raiseVirq(control, Virq.DOM_EXC, 0);
        }
    }

    /** {@code XEN_DOMCTL_getdomaininfo}. */
    public DomainInfo info(final Domain domain)
    {
        return new DomainInfo(domain.domid(), domain.name(), domain.state(), domain.shutdownReason(),
            domain.isPrivileged(), domain.vcpuCount(), domain.physmap().populatedPages(), domain.physmap().maxPages(),
            eventChannels.openPorts(domain), domain.maptrack().inUse(), domain.grantTable().pinnedRefs(),
            domain.counters().total());
    }

    /** Hypervisor shutdown: destroys every domU, then reclaims dom0. Call from a thread that is no vCPU. */
    public void shutdownAll()
    {
        for (final Domain domain : domains.snapshot())
        {
            if (!domain.isPrivileged())
            {
                destroy(domain);
            }
        }
        final Domain control = dom0;
        if (control != null)
        {
            teardown(control);
            domains.remove(DomainId.DOM0);
        }
    }
}
