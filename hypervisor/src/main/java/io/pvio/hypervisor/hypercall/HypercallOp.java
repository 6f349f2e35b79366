package io.pvio.hypervisor.hypercall;

/**
 * Every operation a domain can ask of the hypervisor: a Xen hypercall ({@code __HYPERVISOR_*} in {@code xen.h}) and
 * its sub-operation ({@code EVTCHNOP_*}, {@code GNTTABOP_*}, {@code XENMEM_*}, {@code SCHEDOP_*}, {@code VCPUOP_*},
 * {@code XEN_DOMCTL_*}). One counter per operation per domain ({@link HypercallCounters}).
 */
public enum HypercallOp
{
    EVTCHN_BIND_INTERDOMAIN(Hypercall.EVENT_CHANNEL_OP, 0),
    EVTCHN_BIND_VIRQ(Hypercall.EVENT_CHANNEL_OP, 1),
    EVTCHN_CLOSE(Hypercall.EVENT_CHANNEL_OP, 3),
    EVTCHN_SEND(Hypercall.EVENT_CHANNEL_OP, 4),
    EVTCHN_STATUS(Hypercall.EVENT_CHANNEL_OP, 5),
    EVTCHN_ALLOC_UNBOUND(Hypercall.EVENT_CHANNEL_OP, 6),
    EVTCHN_BIND_VCPU(Hypercall.EVENT_CHANNEL_OP, 8),
    EVTCHN_UNMASK(Hypercall.EVENT_CHANNEL_OP, 9),

    GNTTAB_MAP_GRANT_REF(Hypercall.GRANT_TABLE_OP, 0),
    GNTTAB_UNMAP_GRANT_REF(Hypercall.GRANT_TABLE_OP, 1),
    GNTTAB_SETUP_TABLE(Hypercall.GRANT_TABLE_OP, 2),
    GNTTAB_COPY(Hypercall.GRANT_TABLE_OP, 5),
    GNTTAB_QUERY_SIZE(Hypercall.GRANT_TABLE_OP, 6),

    MEMORY_INCREASE_RESERVATION(Hypercall.MEMORY_OP, 0),
    MEMORY_DECREASE_RESERVATION(Hypercall.MEMORY_OP, 1),
    MEMORY_CURRENT_RESERVATION(Hypercall.MEMORY_OP, 3),
    MEMORY_MAXIMUM_RESERVATION(Hypercall.MEMORY_OP, 4),
    MEMORY_POPULATE_PHYSMAP(Hypercall.MEMORY_OP, 6),

    SCHED_YIELD(Hypercall.SCHED_OP, 0),
    SCHED_BLOCK(Hypercall.SCHED_OP, 1),
    SCHED_SHUTDOWN(Hypercall.SCHED_OP, 2),

    SET_TIMER_OP(Hypercall.SET_TIMER_OP, 0),
    VCPU_SET_PERIODIC_TIMER(Hypercall.VCPU_OP, 6),
    VCPU_STOP_PERIODIC_TIMER(Hypercall.VCPU_OP, 7),

    DOMCTL_CREATEDOMAIN(Hypercall.DOMCTL, 1),
    DOMCTL_DESTROYDOMAIN(Hypercall.DOMCTL, 2),
    DOMCTL_PAUSEDOMAIN(Hypercall.DOMCTL, 3),
    DOMCTL_UNPAUSEDOMAIN(Hypercall.DOMCTL, 4),
    DOMCTL_GETDOMAININFO(Hypercall.DOMCTL, 5),
    DOMCTL_MAX_MEM(Hypercall.DOMCTL, 11),
    /** Reading another domain's hypercall counters; pvio's stand-in for Xen's statistics interfaces. */
    DOMCTL_GET_HYPERCALL_COUNTS(Hypercall.DOMCTL, 0x100),
    /** Raising VIRQ_DEBUG on a domain's vCPUs (Xen does this from its debug keys). */
    DOMCTL_SEND_DEBUG_VIRQ(Hypercall.DOMCTL, 0x101);

    /** The hypercalls themselves, with their {@code __HYPERVISOR_*} numbers. */
    public enum Hypercall
    {
        MEMORY_OP(12),
        SET_TIMER_OP(15),
        GRANT_TABLE_OP(20),
        VCPU_OP(24),
        SCHED_OP(29),
        EVENT_CHANNEL_OP(32),
        DOMCTL(36);

        private final int number;

        Hypercall(final int number)
        {
            this.number = number;
        }

        /** {@code __HYPERVISOR_*}. */
        public int number()
        {
            return number;
        }
    }

    private static final HypercallOp[] VALUES = values();

    private final Hypercall hypercall;
    private final int subOp;

    HypercallOp(final Hypercall hypercall, final int subOp)
    {
        this.hypercall = hypercall;
        this.subOp = subOp;
    }

    public Hypercall hypercall()
    {
        return hypercall;
    }

    /** The sub-operation's number within {@link #hypercall()} (0 for hypercalls without one). */
    public int subOp()
    {
        return subOp;
    }

    /** Whether only a privileged domain (dom0) may perform this operation. */
    public boolean isPrivileged()
    {
        return hypercall == Hypercall.DOMCTL;
    }

    /** The operations in ordinal order, shared (do not modify). */
    static HypercallOp[] valuesShared()
    {
        return VALUES;
    }
}
