package io.pvio.hypervisor.evtchn;

/**
 * What an event channel port is bound to, with Xen's {@code EVTCHNSTAT_*} value for {@code EVTCHNOP_status}.
 * pvio implements no physical IRQs or IPIs.
 */
public enum PortState
{
    /** Not in use ({@code EVTCHNSTAT_closed}). */
    FREE(0),
    /** Waiting for the named remote domain to bind ({@code EVTCHNSTAT_unbound}); also a peer's closed end. */
    UNBOUND(1),
    /** Connected to a port of a remote domain ({@code EVTCHNSTAT_interdomain}). */
    INTERDOMAIN(2),
    /** Bound to a virtual IRQ ({@code EVTCHNSTAT_virq}). */
    VIRQ(4);

    private static final PortState[] BY_ORDINAL = values();

    private final int evtchnStat;

    PortState(final int evtchnStat)
    {
        this.evtchnStat = evtchnStat;
    }

    /** {@code EVTCHNSTAT_*}. */
    public int evtchnStat()
    {
        return evtchnStat;
    }

    static PortState ofOrdinal(final int ordinal)
    {
        return BY_ORDINAL[ordinal];
    }
}
