package io.pvio.hypervisor.guest;

import io.pvio.hypervisor.domain.GuestCode;
import io.pvio.hypervisor.domain.GuestImage;
import io.pvio.hypervisor.domain.VcpuContext;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A guest that does nothing but take events: each vCPU blocks until an upcall, then dispatches it to whatever
 * handlers are bound on its domain's {@link UpcallDispatcher}. A default for dom0 and a base for tests.
 */
public final class IdleGuest implements GuestCode
{
    private final UpcallDispatcher dispatcher;

    public IdleGuest(final UpcallDispatcher dispatcher)
    {
        this.dispatcher = dispatcher;
    }

    /** An image whose vCPUs share one dispatcher per domain. */
    public static GuestImage image()
    {
        return image((dispatcher) ->
        {
        });
    }

    /**
     * An image whose vCPUs share one dispatcher per domain, handed to {@code onDispatcher} once per domain built
     * (before it runs), so the embedding code can bind handlers.
     */
    public static GuestImage image(final Consumer<UpcallDispatcher> onDispatcher)
    {
        final Map<Integer, UpcallDispatcher> building = new ConcurrentHashMap<>();
        return (vcpu) ->
        {
            final UpcallDispatcher dispatcher = building.computeIfAbsent(vcpu.domid(), (domid) ->
            {
                final UpcallDispatcher created = UpcallDispatcher.of(vcpu.memory(), vcpu.startInfo());
                onDispatcher.accept(created);
                return created;
            });
            if (vcpu.vcpuId() == vcpu.startInfo().vcpuCount() - 1)
            {
                building.remove(vcpu.domid());
            }
            return new IdleGuest(dispatcher);
        };
    }

    public UpcallDispatcher dispatcher()
    {
        return dispatcher;
    }

    @Override
    public int doWork(final VcpuContext vcpu)
    {
        vcpu.block();
        return 0;
    }

    @Override
    public void onUpcall(final VcpuContext vcpu)
    {
        dispatcher.dispatch(vcpu.vcpuId());
    }
}
