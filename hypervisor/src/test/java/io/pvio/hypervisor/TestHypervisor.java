package io.pvio.hypervisor;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.domain.GuestImage;
import io.pvio.hypervisor.domain.VcpuScheduling;
import io.pvio.hypervisor.guest.IdleGuest;
import io.pvio.hypervisor.guest.UpcallDispatcher;
import io.pvio.hypervisor.hypercall.Hypercalls;
import org.agrona.concurrent.CachedNanoClock;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A hypervisor for tests: small off-heap memory, a fake clock, the reaper driven by hand, and dom0 an
 * {@link IdleGuest} whose vCPU the test drives ({@link VcpuScheduling#MANUAL}) while acting as its toolstack.
 */
public final class TestHypervisor implements AutoCloseable
{
    public final CachedNanoClock clock = new CachedNanoClock();
    public final Hypervisor hv;
    public final UpcallDispatcher dom0Dispatcher;

    private TestHypervisor(final int machineFrames)
    {
        final AtomicReference<UpcallDispatcher> dispatcher = new AtomicReference<>();
        hv = Hypervisor.boot(new HypervisorConfig()
            .machineFrames(machineFrames)
            .nanoClock(clock)
            .threadedReaper(false)
            .dom0(new DomainConfig()
                .name("dom0")
                .memoryPages(16)
                .maxPorts(4096)
                .maptrackEntries(4096)
                .vcpuScheduling(VcpuScheduling.MANUAL)
                .image(IdleGuest.image(dispatcher::set))));
        dom0Dispatcher = dispatcher.get();
    }

    public static TestHypervisor boot(final int machineFrames)
    {
        return new TestHypervisor(machineFrames);
    }

    public Domain dom0()
    {
        return hv.dom0();
    }

    public Hypercalls dom0Hypercalls()
    {
        return hv.dom0Hypercalls();
    }

    /** A small MANUAL domU config running {@code image}. */
    public static DomainConfig manual(final GuestImage image)
    {
        return new DomainConfig().name("domU").memoryPages(8).vcpuScheduling(VcpuScheduling.MANUAL).image(image);
    }

    /** Creates (paused) through dom0's domctl and returns the domain. */
    public Domain create(final DomainConfig config)
    {
        return hv.domain(dom0Hypercalls().domctl().createDomain(config));
    }

    /** Creates and unpauses. */
    public Domain createRunning(final DomainConfig config)
    {
        final Domain domain = create(config);
        dom0Hypercalls().domctl().unpauseDomain(domain.domid());
        return domain;
    }

    @Override
    public void close()
    {
        hv.close();
    }
}
