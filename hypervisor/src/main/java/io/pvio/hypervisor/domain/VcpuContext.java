package io.pvio.hypervisor.domain;

import io.pvio.hypervisor.hypercall.HypercallException;
import io.pvio.hypervisor.hypercall.HypercallOp;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.hypercall.XenErrno;
import io.pvio.hypervisor.memory.GuestMemory;

import java.util.concurrent.TimeUnit;

/**
 * What guest code running on one vCPU can reach: its domain's hypercalls and memory, and the operations Xen applies
 * to the calling vCPU ({@code SCHEDOP_block}, {@code SCHEDOP_yield}, timers). Use it from that vCPU's code only.
 */
public final class VcpuContext
{
    /** {@code VCPUOP_set_periodic_timer} rejects shorter periods. */
    public static final long MIN_PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Domain domain;
    private final Vcpu vcpu;

    VcpuContext(final Domain domain, final Vcpu vcpu)
    {
        this.domain = domain;
        this.vcpu = vcpu;
    }

    public int domid()
    {
        return domain.domid();
    }

    public int vcpuId()
    {
        return vcpu.vcpuId();
    }

    /** The domain's hypercall interface, bound to its id. */
    public Hypercalls hypercalls()
    {
        return domain.hypercalls();
    }

    /** The domain's own memory. */
    public GuestMemory memory()
    {
        return domain.guestMemory();
    }

    public StartInfo startInfo()
    {
        return domain.startInfo();
    }

    /** Hypervisor system time in nanoseconds (the clock timers are set against). */
    public long nanoTime()
    {
        return domain.clock().nanoTime();
    }

    /**
     * {@code SCHEDOP_block}: enables upcalls now and, once the current cycle returns, parks this vCPU until an event
     * can be delivered, a timer is due or the domain changes state. Return from {@code doWork} promptly after it.
     */
    public void block()
    {
        domain.counters().increment(HypercallOp.SCHED_BLOCK);
        vcpu.requestBlock();
    }

    /** {@code SCHEDOP_yield}: gives the physical CPU to another thread for a moment. */
    public void yieldVcpu()
    {
        domain.counters().increment(HypercallOp.SCHED_YIELD);
        Thread.yield();
    }

    /**
     * {@code set_timer_op}: raise {@code VIRQ_TIMER} on this vCPU at {@link #nanoTime()} {@code >= deadlineNs}
     * (at once if already past). Replaces any earlier single-shot deadline.
     */
    public void setSingleshotTimer(final long deadlineNs)
    {
        domain.counters().increment(HypercallOp.SET_TIMER_OP);
        vcpu.singleshotTimer(deadlineNs);
    }

    /** {@code set_timer_op(0)}: cancels the single-shot timer. */
    public void stopSingleshotTimer()
    {
        domain.counters().increment(HypercallOp.SET_TIMER_OP);
        vcpu.stopSingleshotTimer();
    }

    /**
     * {@code VCPUOP_set_periodic_timer}: raise {@code VIRQ_TIMER} on this vCPU every {@code periodNs}, starting one
     * period from now.
     *
     * @throws HypercallException EINVAL for a period under {@link #MIN_PERIOD_NS}.
     */
    public void setPeriodicTimer(final long periodNs)
    {
        final HypercallOp op = HypercallOp.VCPU_SET_PERIODIC_TIMER;
        domain.counters().increment(op);
        if (periodNs < MIN_PERIOD_NS)
        {
            throw new HypercallException(XenErrno.EINVAL, op, "period " + periodNs + " ns is under 1 ms");
        }
        vcpu.periodicTimer(periodNs);
    }

    /** {@code VCPUOP_stop_periodic_timer}. */
    public void stopPeriodicTimer()
    {
        domain.counters().increment(HypercallOp.VCPU_STOP_PERIODIC_TIMER);
        vcpu.stopPeriodicTimer();
    }

    /**
     * A voluntary safe point inside a long cycle: runs the upcall now if one is pending and upcalls are enabled.
     *
     * @return whether the upcall ran.
     */
    public boolean pollEvents()
    {
        return vcpu.deliverUpcallFromGuest() > 0;
    }
}
