package io.pvio.hypervisor.hypercall;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.evtchn.EventChannelStatus;
import io.pvio.hypervisor.evtchn.EventChannels;

/**
 * {@code HYPERVISOR_event_channel_op} for one domain. Control operations throw {@link HypercallException};
 * {@link #send} and {@link #unmask} return 0 or a negated {@link XenErrno} and allocate nothing.
 */
public final class EventChannelOp
{
    private final Domain self;
    private final EventChannels channels;

    EventChannelOp(final Domain self, final EventChannels channels)
    {
        this.self = self;
        this.channels = channels;
    }

    /** {@code EVTCHNOP_alloc_unbound} in the caller's own table: a port {@code remoteDomid} may bind to. */
    public int allocUnbound(final int remoteDomid)
    {
        return allocUnbound(DomainId.SELF, remoteDomid);
    }

    /**
     * {@code EVTCHNOP_alloc_unbound} in {@code dom}'s table (another domain: dom0 only, else EPERM).
     *
     * @return the new port.
     * @throws HypercallException EPERM, ESRCH (no such domain), EINVAL (bad remote id), ENOSPC (no free port).
     */
    public int allocUnbound(final int dom, final int remoteDomid)
    {
        self.counters().increment(HypercallOp.EVTCHN_ALLOC_UNBOUND);
        return channels.allocUnbound(self, dom, remoteDomid);
    }

    /**
     * {@code EVTCHNOP_bind_interdomain}.
     *
     * @return the new local port (already pending, as in Xen).
     * @throws HypercallException ESRCH (no such domain), EINVAL (remote port not unbound for us), ENOSPC.
     */
    public int bindInterdomain(final int remoteDomid, final int remotePort)
    {
        self.counters().increment(HypercallOp.EVTCHN_BIND_INTERDOMAIN);
        return channels.bindInterdomain(self, remoteDomid, remotePort);
    }

    /**
     * {@code EVTCHNOP_bind_virq}.
     *
     * @return the new port.
     * @throws HypercallException EINVAL (bad virq, global virq not on vCPU 0), ENOENT (no such vCPU), EEXIST
     * (already bound there), ENOSPC.
     */
    public int bindVirq(final int virq, final int vcpu)
    {
        self.counters().increment(HypercallOp.EVTCHN_BIND_VIRQ);
        return channels.bindVirq(self, virq, vcpu);
    }

    /**
     * {@code EVTCHNOP_close}.
     *
     * @throws HypercallException EINVAL if the port is not open.
     */
    public void close(final int port)
    {
        self.counters().increment(HypercallOp.EVTCHN_CLOSE);
        channels.close(self, port);
    }

    /**
     * {@code EVTCHNOP_send}.
     *
     * @return 0 (also if the remote end has closed: the event is dropped, as in Xen), or -EINVAL if the caller has
     * no interdomain or unbound channel on {@code port}.
     */
    public int send(final int port)
    {
        self.counters().increment(HypercallOp.EVTCHN_SEND);
        return channels.send(self, port);
    }

    /**
     * {@code EVTCHNOP_unmask}: delivers the port if it became pending while masked.
     *
     * @return 0, or -EINVAL for a port out of range.
     */
    public int unmask(final int port)
    {
        self.counters().increment(HypercallOp.EVTCHN_UNMASK);
        return channels.unmask(self, port);
    }

    /** {@code EVTCHNOP_status} of one of the caller's ports. */
    public EventChannelStatus status(final int port)
    {
        return status(DomainId.SELF, port);
    }

    /**
     * {@code EVTCHNOP_status} of a port of {@code dom} (another domain: dom0 only).
     *
     * @throws HypercallException EPERM, ESRCH, EINVAL (port out of range).
     */
    public EventChannelStatus status(final int dom, final int port)
    {
        self.counters().increment(HypercallOp.EVTCHN_STATUS);
        return channels.status(self, dom, port);
    }

    /**
     * {@code EVTCHNOP_bind_vcpu}: notify {@code vcpu} for {@code port}.
     *
     * @throws HypercallException ENOENT (no such vCPU), EINVAL (port closed or a per-vCPU VIRQ).
     */
    public void bindVcpu(final int port, final int vcpu)
    {
        self.counters().increment(HypercallOp.EVTCHN_BIND_VCPU);
        channels.bindVcpu(self, port, vcpu);
    }
}
