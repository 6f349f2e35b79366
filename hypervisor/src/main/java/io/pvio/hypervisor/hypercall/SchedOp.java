package io.pvio.hypervisor.hypercall;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.ShutdownReason;

/**
 * {@code HYPERVISOR_sched_op} operations on the whole calling domain. {@code SCHEDOP_block} and
 * {@code SCHEDOP_yield} apply to the calling vCPU and are on its {@code VcpuContext}.
 */
public final class SchedOp
{
    private final Domain self;

    SchedOp(final Domain self)
    {
        this.self = self;
    }

    /**
     * {@code SCHEDOP_shutdown}: the domain stops; its vCPUs run no more guest code after their current cycle, dom0 is
     * told through {@code VIRQ_DOM_EXC}, and the hypervisor reclaims everything the domain holds.
     */
    public void shutdown(final ShutdownReason reason)
    {
        self.counters().increment(HypercallOp.SCHED_SHUTDOWN);
        if (reason == null)
        {
            throw new HypercallException(XenErrno.EINVAL, HypercallOp.SCHED_SHUTDOWN, "no reason");
        }
        self.shutdown(reason);
    }
}
