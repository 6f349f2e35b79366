package io.pvio.hypervisor.evtchn;

/**
 * The answer to {@code EVTCHNOP_status} for one port.
 *
 * @param state       what the port is bound to.
 * @param vcpu        the vCPU notified when it becomes pending.
 * @param remoteDomid UNBOUND: the domain allowed to bind; INTERDOMAIN: the peer; otherwise -1.
 * @param remotePort  INTERDOMAIN: the peer's port; otherwise -1.
 * @param virq        VIRQ: the virtual IRQ; otherwise -1.
 */
public record EventChannelStatus(PortState state, int vcpu, int remoteDomid, int remotePort, int virq)
{
    /** {@code EVTCHNSTAT_*}. */
    public int evtchnStat()
    {
        return state.evtchnStat();
    }
}
