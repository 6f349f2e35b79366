package io.pvio.hypervisor.evtchn;

/**
 * Virtual IRQs ({@code VIRQ_*} in {@code xen.h}). Per-vCPU VIRQs are bound on each vCPU separately; global ones are
 * bound on vCPU 0 and are raised only in the domain that handles them (dom0 for {@link #DOM_EXC}).
 * pvio raises {@link #TIMER}, {@link #DEBUG} and {@link #DOM_EXC}; the others can be bound but never fire.
 */
public final class Virq
{
    /** Per vCPU: the vCPU's single-shot or periodic timer expired. */
    public static final int TIMER = 0;
    /** Per vCPU: dump debug information (dom0's {@code DOMCTL_SEND_DEBUG_VIRQ}). */
    public static final int DEBUG = 1;
    /** Global (dom0): bytes on the emergency console. */
    public static final int CONSOLE = 2;
    /** Global (dom0): some domain shut down, crashed or was destroyed. */
    public static final int DOM_EXC = 3;
    /** Global (dom0): trace buffer records available. */
    public static final int TBUF = 4;
    /** Global (dom0): a domain paused for debugging. */
    public static final int DEBUGGER = 6;
    /** Per vCPU: XenOprofile sample. */
    public static final int XENOPROF = 7;
    /** Per vCPU: performance counter interrupt. */
    public static final int XENPMU = 13;
    /** {@code NR_VIRQS}. */
    public static final int NR_VIRQS = 24;

    private Virq()
    {
    }

    public static boolean isValid(final int virq)
    {
        return virq >= 0 && virq < NR_VIRQS;
    }

    /** xen.h marks these "V": bound per vCPU. */
    public static boolean isPerVcpu(final int virq)
    {
        return virq == TIMER || virq == DEBUG || virq == XENOPROF || virq == XENPMU;
    }
}
