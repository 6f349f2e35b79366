package io.pvio.hypervisor.hypercall;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainManager;

/**
 * One domain's hypercall interface, created with the domain and bound to it: every operation acts as that domain,
 * and there is no parameter through which a caller could claim to be another. Grouped like Xen's hypercalls:
 * {@link #eventChannel()}, {@link #grantTable()}, {@link #memory()}, {@link #sched()} and, for dom0 only,
 * {@link #domctl()}. The per-vCPU operations ({@code SCHEDOP_block}, {@code SCHEDOP_yield}, timers) are on the
 * vCPU's context instead, since Xen applies them to the calling vCPU.
 * <p>
 * Every call is counted per operation in {@link #counters()}, failed ones included.
 */
public final class Hypercalls
{
    private final Domain self;
    private final EventChannelOp eventChannel;
    private final GrantTableOp grantTable;
    private final MemoryOp memory;
    private final SchedOp sched;
    private final DomctlOp domctl;

    /** Hypervisor use: created by the domain it is bound to. */
    public Hypercalls(final Domain self, final DomainManager manager)
    {
        this.self = self;
        this.eventChannel = new EventChannelOp(self, manager.eventChannels());
        this.grantTable = new GrantTableOp(self, manager.grantTables());
        this.memory = new MemoryOp(self, manager);
        this.sched = new SchedOp(self);
        this.domctl = new DomctlOp(self, manager);
    }

    /** The domain these hypercalls act as. */
    public int domid()
    {
        return self.domid();
    }

    /** {@code HYPERVISOR_event_channel_op}. */
    public EventChannelOp eventChannel()
    {
        return eventChannel;
    }

    /** {@code HYPERVISOR_grant_table_op}. */
    public GrantTableOp grantTable()
    {
        return grantTable;
    }

    /** {@code HYPERVISOR_memory_op}. */
    public MemoryOp memory()
    {
        return memory;
    }

    /** {@code HYPERVISOR_sched_op} (domain-wide operations). */
    public SchedOp sched()
    {
        return sched;
    }

    /** {@code HYPERVISOR_domctl}: every operation fails with EPERM unless this domain is dom0. */
    public DomctlOp domctl()
    {
        return domctl;
    }

    /** This domain's own hypercall counts. */
    public HypercallCounters counters()
    {
        return self.counters();
    }
}
