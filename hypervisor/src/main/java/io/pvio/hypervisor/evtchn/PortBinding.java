package io.pvio.hypervisor.evtchn;

/**
 * One port's binding packed in a {@code long}, so that senders read it with one atomic load and never see half an
 * update:
 * <pre>
 *  bits  0..7   state (PortState ordinal)
 *  bits  8..15  vCPU notified when the port becomes pending
 *  bits 16..31  remote domid (UNBOUND: who may bind; INTERDOMAIN: the peer)
 *  bits 32..47  remote port (INTERDOMAIN) or virq number (VIRQ)
 * </pre>
 * Not a shared-memory layout: the guest never sees it.
 */
final class PortBinding
{
    static final long FREE = 0L;

    private PortBinding()
    {
    }

    static long unbound(final int remoteDomid, final int vcpu)
    {
        return pack(PortState.UNBOUND, vcpu, remoteDomid, 0);
    }

    static long interdomain(final int remoteDomid, final int remotePort, final int vcpu)
    {
        return pack(PortState.INTERDOMAIN, vcpu, remoteDomid, remotePort);
    }

    static long virq(final int virq, final int vcpu)
    {
        return pack(PortState.VIRQ, vcpu, 0, virq);
    }

    static long withVcpu(final long binding, final int vcpu)
    {
        return (binding & ~0xFF00L) | ((long)(vcpu & 0xFF) << 8);
    }

    static int stateOrdinal(final long binding)
    {
        return (int)(binding & 0xFF);
    }

    static PortState state(final long binding)
    {
        return PortState.ofOrdinal(stateOrdinal(binding));
    }

    static int vcpu(final long binding)
    {
        return (int)((binding >>> 8) & 0xFF);
    }

    static int remoteDomid(final long binding)
    {
        return (int)((binding >>> 16) & 0xFFFF);
    }

    /** Remote port for INTERDOMAIN, virq for VIRQ. */
    static int remotePortOrVirq(final long binding)
    {
        return (int)((binding >>> 32) & 0xFFFF);
    }

    private static long pack(final PortState state, final int vcpu, final int remoteDomid, final int portOrVirq)
    {
        return state.ordinal() | ((long)(vcpu & 0xFF) << 8) | ((long)(remoteDomid & 0xFFFF) << 16) |
            ((long)(portOrVirq & 0xFFFF) << 32);
    }
}
