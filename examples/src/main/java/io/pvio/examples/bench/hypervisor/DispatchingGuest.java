package io.pvio.examples.bench.hypervisor;

import io.pvio.hypervisor.domain.GuestCode;
import io.pvio.hypervisor.domain.GuestImage;
import io.pvio.hypervisor.domain.VcpuContext;
import io.pvio.hypervisor.guest.UpcallDispatcher;

import java.util.function.Consumer;

/**
 * Guest code for a one-vCPU benchmark domain: no work of its own; its upcall dispatches to the handlers bound on its
 * {@link UpcallDispatcher}. With {@code block} it calls {@code SCHEDOP_block} every cycle; without, it returns and
 * its vCPU idles with the domain's poll strategy (or, for MANUAL dom0, the benchmark thread calls again at once).
 */
public final class DispatchingGuest implements GuestCode
{
    private final UpcallDispatcher dispatcher;
    private final boolean block;
    private volatile Thread vcpuThread;

    private DispatchingGuest(final UpcallDispatcher dispatcher, final boolean block)
    {
        this.dispatcher = dispatcher;
        this.block = block;
    }

    /**
     * An image for a one-vCPU domain.
     *
     * @param block        whether the guest blocks after every cycle.
     * @param onBuilt given the guest code while the domain is built, before it runs.
     */
    public static GuestImage image(final boolean block, final Consumer<DispatchingGuest> onBuilt)
    {
        return (vcpu) ->
        {
            final DispatchingGuest guest =
                new DispatchingGuest(UpcallDispatcher.of(vcpu.memory(), vcpu.startInfo()), block);
            onBuilt.accept(guest);
            return guest;
        };
    }

    /** The domain's upcall dispatcher, to bind handlers on. */
    public UpcallDispatcher dispatcher()
    {
        return dispatcher;
    }

    /**
     * Whether the vCPU's thread is parked now ({@code TIMED_WAITING}): sleeping, not merely about to. Any thread;
     * allocation-free. Always false for a MANUAL vCPU or before the guest started.
     */
    public boolean isParked()
    {
        final Thread thread = vcpuThread;
        return thread != null && thread.getState() == Thread.State.TIMED_WAITING;
    }

    @Override
    public void onStart(final VcpuContext vcpu)
    {
        vcpuThread = Thread.currentThread();
    }

    @Override
    public void onStop(final VcpuContext vcpu)
    {
        vcpuThread = null;
    }

    @Override
    public int doWork(final VcpuContext vcpu)
    {
        if (block)
        {
            vcpu.block();
        }
        return 0;
    }

    @Override
    public void onUpcall(final VcpuContext vcpu)
    {
        dispatcher.dispatch(vcpu.vcpuId());
    }
}
