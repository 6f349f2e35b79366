package io.pvio.examples.bench.hypervisor;

import io.pvio.hypervisor.Hypervisor;
import io.pvio.hypervisor.HypervisorConfig;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.domain.Vcpu;
import io.pvio.hypervisor.domain.VcpuScheduling;
import io.pvio.hypervisor.guest.UpcallDispatcher;
import io.pvio.hypervisor.hypercall.Hypercalls;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A hypervisor booted for one benchmark trial. Dom0 is MANUAL: the benchmark thread is dom0, drives dom0's only
 * vCPU with {@link #pollDom0()} and so takes dom0's upcalls on its own thread; nothing else of dom0 runs. The reaper
 * is not threaded (every domain is destroyed by {@link #close()}), so the only threads are THREADED domU vCPUs.
 */
public final class BenchHypervisor implements AutoCloseable
{
    /** Machine frames: dom0, one small domU and sixteen granted pages fit easily. */
    public static final int MACHINE_FRAMES = 1024;
    /** Dom0's reservation: shared_info, one grant frame, spare, then {@link #DOM0_FIRST_DATA_GFN} on. */
    public static final int DOM0_PAGES = 32;
    /** Dom0's ceiling: room beyond its reservation for pages it populates later (blkback's bounce frames). */
    public static final int DOM0_MAX_PAGES = 64;
    /** First of dom0's frames the benchmarks use as local memory (grant copy destinations). */
    public static final long DOM0_FIRST_DATA_GFN = 8;

    private final Hypervisor hypervisor;
    private final UpcallDispatcher dom0Dispatcher;
    private final Vcpu dom0Vcpu;

    private BenchHypervisor()
    {
        final AtomicReference<DispatchingGuest> dom0Code = new AtomicReference<>();
        hypervisor = Hypervisor.boot(new HypervisorConfig()
            .machineFrames(MACHINE_FRAMES)
            .threadedReaper(false)
            .dom0(new DomainConfig()
                .name("dom0")
                .memoryPages(DOM0_PAGES)
                .maxPages(DOM0_MAX_PAGES)
                .vcpuScheduling(VcpuScheduling.MANUAL)
                .image(DispatchingGuest.image(false, dom0Code::set))));
        dom0Dispatcher = dom0Code.get().dispatcher();
        dom0Vcpu = hypervisor.dom0().vcpu(0);
    }

    /** Boots machine memory and a running MANUAL dom0. */
    public static BenchHypervisor boot()
    {
        return new BenchHypervisor();
    }

    public Hypercalls dom0Hypercalls()
    {
        return hypervisor.dom0Hypercalls();
    }

    public Domain dom0()
    {
        return hypervisor.dom0();
    }

    /** Dom0's dispatcher: handlers bound here run on the benchmark thread inside {@link #pollDom0()}. */
    public UpcallDispatcher dom0Dispatcher()
    {
        return dom0Dispatcher;
    }

    /** One duty cycle of dom0's vCPU on the calling thread: runs dom0's upcall if one is pending. Allocation-free. */
    public int pollDom0()
    {
        return dom0Vcpu.doWork();
    }

    /**
     * Creates a one-vCPU domU running {@link DispatchingGuest} through dom0's domctl; paused until
     * {@link #unpause(BenchGuest)}.
     *
     * @param block whether its guest blocks after every cycle.
     */
    public BenchGuest createGuest(final DomainConfig config, final boolean block)
    {
        final AtomicReference<DispatchingGuest> code = new AtomicReference<>();
        final int domid =
            dom0Hypercalls().domctl().createDomain(config.image(DispatchingGuest.image(block, code::set)));
        return new BenchGuest(hypervisor.domain(domid), code.get());
    }

    /** {@code XEN_DOMCTL_unpausedomain}: the guest runs (its vCPU thread starts the first time). */
    public void unpause(final BenchGuest guest)
    {
        dom0Hypercalls().domctl().unpauseDomain(guest.domid());
    }

    /** {@code XEN_DOMCTL_pausedomain}: the guest's vCPU parks after its current cycle (no spinning meanwhile). */
    public void pause(final BenchGuest guest)
    {
        dom0Hypercalls().domctl().pauseDomain(guest.domid());
    }

    /** Destroys every domain (joining their vCPU threads) and releases machine memory. */
    @Override
    public void close()
    {
        hypervisor.close();
    }
}
