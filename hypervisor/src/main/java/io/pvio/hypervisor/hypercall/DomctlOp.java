package io.pvio.hypervisor.hypercall;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.domain.DomainInfo;
import io.pvio.hypervisor.domain.DomainManager;
import io.pvio.hypervisor.evtchn.Virq;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code HYPERVISOR_domctl}: domain control, for the privileged domain (dom0) only. Any other caller gets EPERM
 * before anything is looked at.
 */
public final class DomctlOp
{
    private final Domain self;
    private final DomainManager manager;

    DomctlOp(final Domain self, final DomainManager manager)
    {
        this.self = self;
        this.manager = manager;
    }

    /**
     * {@code XEN_DOMCTL_createdomain} and build: a new domain, paused.
     *
     * @return its id.
     * @throws HypercallException EPERM, EINVAL (bad config), ENOSPC (no free id), ENOMEM (not enough frames).
     */
    public int createDomain(final DomainConfig config)
    {
        privileged(HypercallOp.DOMCTL_CREATEDOMAIN);
        return manager.create(config).domid();
    }

    /**
     * {@code XEN_DOMCTL_destroydomain}: reclaims everything the domain holds and frees its id.
     *
     * @throws HypercallException EPERM, ESRCH, EINVAL (dom0).
     */
    public void destroyDomain(final int domid)
    {
        manager.destroy(lookup(domid, HypercallOp.DOMCTL_DESTROYDOMAIN));
    }

    /** {@code XEN_DOMCTL_pausedomain}. @throws HypercallException EPERM, ESRCH, EINVAL (shut down or dying). */
    public void pauseDomain(final int domid)
    {
        manager.pause(lookup(domid, HypercallOp.DOMCTL_PAUSEDOMAIN));
    }

    /** {@code XEN_DOMCTL_unpausedomain}. @throws HypercallException EPERM, ESRCH, EINVAL (shut down or dying). */
    public void unpauseDomain(final int domid)
    {
        manager.unpause(lookup(domid, HypercallOp.DOMCTL_UNPAUSEDOMAIN));
    }

    /** {@code XEN_DOMCTL_getdomaininfo}. @throws HypercallException EPERM, ESRCH. */
    public DomainInfo getDomainInfo(final int domid)
    {
        return manager.info(lookup(domid, HypercallOp.DOMCTL_GETDOMAININFO));
    }

    /** Every domain's info (Xen's {@code XEN_SYSCTL_getdomaininfolist}). @throws HypercallException EPERM. */
    public List<DomainInfo> listDomains()
    {
        privileged(HypercallOp.DOMCTL_GETDOMAININFO);
        final List<DomainInfo> infos = new ArrayList<>();
        for (final Domain domain : manager.domains().snapshot())
        {
            infos.add(manager.info(domain));
        }
        return infos;
    }

    /**
     * {@code XEN_DOMCTL_max_mem}: the domain's reservation ceiling, in frames.
     *
     * @throws HypercallException EPERM, ESRCH, EINVAL (negative).
     */
    public void setMaxMem(final int domid, final int maxPages)
    {
        final Domain target = lookup(domid, HypercallOp.DOMCTL_MAX_MEM);
        if (maxPages < 0)
        {
            throw new HypercallException(XenErrno.EINVAL, HypercallOp.DOMCTL_MAX_MEM, "maxPages " + maxPages);
        }
        target.physmap().maxPages(maxPages);
    }

    /** How many hypercalls of each kind {@code domid} has made (non-zero counts only). */
    public Map<HypercallOp, Long> hypercallCounts(final int domid)
    {
        return lookup(domid, HypercallOp.DOMCTL_GET_HYPERCALL_COUNTS).counters().snapshot();
    }

    /** How many {@code op} hypercalls {@code domid} has made. */
    public long hypercallCount(final int domid, final HypercallOp op)
    {
        return lookup(domid, HypercallOp.DOMCTL_GET_HYPERCALL_COUNTS).counters().count(op);
    }

    /** Raises {@code VIRQ_DEBUG} on every vCPU of {@code domid} that has it bound. @return vCPUs raised. */
    public int sendDebugVirq(final int domid)
    {
        final Domain target = lookup(domid, HypercallOp.DOMCTL_SEND_DEBUG_VIRQ);
        int raised = 0;
        for (int vcpu = 0; vcpu < target.vcpuCount(); vcpu++)
        {
            if (manager.eventChannels().raiseVirq(target, Virq.DEBUG, vcpu))
            {
                raised++;
            }
        }
        return raised;
    }

    private Domain lookup(final int domid, final HypercallOp op)
    {
        privileged(op);
        final Domain target = domid == DomainId.SELF ? self : manager.domains().get(domid);
        if (target == null)
        {
            throw new HypercallException(XenErrno.ESRCH, op, "no domain " + domid);
        }
        return target;
    }

    private void privileged(final HypercallOp op)
    {
        self.counters().increment(op);
        if (!self.isPrivileged())
        {
            throw new HypercallException(XenErrno.EPERM, op, "d" + self.domid() + " is not privileged");
        }
    }
}
