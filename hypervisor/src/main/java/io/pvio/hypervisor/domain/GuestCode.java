package io.pvio.hypervisor.domain;

/**
 * The code one vCPU of a guest runs. All methods are called on that vCPU's thread only, so an implementation may
 * keep plain fields. Anything thrown crashes the guest's own domain, never the hypervisor.
 */
public interface GuestCode
{
    /** Once, before the first {@link #doWork}, when the domain first runs. */
    default void onStart(final VcpuContext vcpu)
    {
    }

    /**
     * One duty cycle: do a bounded amount of work and return. Between cycles the vCPU delivers upcalls and timers
     * (its safe point); {@link VcpuContext#block()} or {@link VcpuContext#yieldVcpu()} take effect when this returns.
     *
     * @return how much work was done; 0 lets the vCPU idle.
     */
    int doWork(VcpuContext vcpu);

    /**
     * The event upcall: {@code evtchn_upcall_pending} is set and upcalls are enabled. Runs with upcalls masked
     * (as Xen enters the callback) and they are unmasked when it returns. Typically
     * {@code dispatcher.dispatch(vcpu.vcpuId())}.
     */
    void onUpcall(VcpuContext vcpu);

    /** Once, when the vCPU stops (domain destroyed or shut down). Upcalls are no longer delivered. */
    default void onStop(final VcpuContext vcpu)
    {
    }
}
