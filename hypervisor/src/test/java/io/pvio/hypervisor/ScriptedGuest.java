package io.pvio.hypervisor;

import io.pvio.hypervisor.domain.GuestCode;
import io.pvio.hypervisor.domain.GuestImage;
import io.pvio.hypervisor.domain.VcpuContext;
import io.pvio.hypervisor.guest.UpcallDispatcher;

import java.util.function.ToIntFunction;

/**
 * Test guest: a dispatcher over its shared_info, a scripted duty cycle, and counts of what ran. Fields are written
 * on the vCPU's thread; tests read them after driving {@code doWork()} themselves or through Awaitility.
 */
public final class ScriptedGuest implements GuestCode
{
    public final UpcallDispatcher dispatcher;
    public volatile ToIntFunction<VcpuContext> duty = (vcpu) -> 0;
    public volatile int starts;
    public volatile int cycles;
    public volatile int upcalls;
    public volatile int stops;
    public volatile VcpuContext context;

    public ScriptedGuest(final VcpuContext vcpu)
    {
        this.dispatcher = UpcallDispatcher.of(vcpu.memory(), vcpu.startInfo());
        this.context = vcpu;
    }

    /** An image for one-vCPU domains that stores the guest it builds into {@code sink[0]}. */
    public static GuestImage image(final ScriptedGuest[] sink)
    {
        return (vcpu) ->
        {
            final ScriptedGuest guest = new ScriptedGuest(vcpu);
            sink[0] = guest;
            return guest;
        };
    }

    @Override
    public void onStart(final VcpuContext vcpu)
    {
        starts++;
    }

    @Override
    public int doWork(final VcpuContext vcpu)
    {
        cycles++;
        return duty.applyAsInt(vcpu);
    }

    @Override
    public void onUpcall(final VcpuContext vcpu)
    {
        upcalls++;
        dispatcher.dispatch(vcpu.vcpuId());
    }

    @Override
    public void onStop(final VcpuContext vcpu)
    {
        stops++;
    }
}
