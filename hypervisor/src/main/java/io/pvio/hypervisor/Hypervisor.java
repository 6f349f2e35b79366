package io.pvio.hypervisor;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainManager;
import io.pvio.hypervisor.domain.DomainReaper;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.memory.MachineMemory;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The trusted core: boots machine memory and dom0, owns every domain, and reclaims them at {@link #close()}.
 * <pre>{@code
 * try (Hypervisor hv = Hypervisor.boot(new HypervisorConfig().dom0(new DomainConfig().name("dom0").image(toolstack)))) {
 *     final DomctlOp domctl = hv.dom0Hypercalls().domctl();
 *     final int domid = domctl.createDomain(new DomainConfig().name("guest").image(guest));
 *     domctl.unpauseDomain(domid);
 *     ...
 *     domctl.destroyDomain(domid);
 * }
 * }</pre>
 * Dom0 is running when {@link #boot} returns. Guests reach the hypervisor only through the {@link Hypercalls} bound
 * to their own domain (given to their code through its vCPU context).
 */
public final class Hypervisor implements AutoCloseable
{
    private final MachineMemory memory;
    private final DomainManager manager;
    private final Domain dom0;
    private final AgentRunner reaperRunner;
    private boolean closed;

    private Hypervisor(final HypervisorConfig config)
    {
        this.memory = config.memoryFile() == null ?
            MachineMemory.offHeap(config.machineFrames()) :
            MachineMemory.mappedFile(config.memoryFile(), config.machineFrames());
        try
        {
            this.manager = new DomainManager(memory, config.nanoClock(), config.errorHandler());
            this.dom0 = manager.createDom0(config.dom0());
        }
        catch (final RuntimeException ex)
        {
            memory.close();
            throw ex;
        }
        if (config.threadedReaper())
        {
            reaperRunner = new AgentRunner(new BackoffIdleStrategy(10, 10, 1_000, 5_000_000),
                config.errorHandler(), null, manager.reaper());
            AgentRunner.startOnThread(reaperRunner);
        }
        else
        {
            reaperRunner = null;
        }
        manager.unpause(dom0);
    }

    /**
     * Boots machine memory and dom0 (running).
     *
     * @throws IllegalStateException if Agrona's bounds checks are disabled: every guest view of a frame relies on
     *                               them to stay inside its 4 KiB page.
     */
    public static Hypervisor boot(final HypervisorConfig config)
    {
        if (!UnsafeBuffer.SHOULD_BOUNDS_CHECK)
        {
            throw new IllegalStateException("refusing to boot with -D" + UnsafeBuffer.DISABLE_BOUNDS_CHECKS_PROP_NAME +
                "=true: guest views of memory rely on Agrona's bounds checks for isolation");
        }
        return new Hypervisor(config);
    }

    public Domain dom0()
    {
        return dom0;
    }

    /** dom0's hypercalls, for the toolstack code that embeds the hypervisor. */
    public Hypercalls dom0Hypercalls()
    {
        return dom0.hypercalls();
    }

    /** The domain with {@code domid}, or {@code null}. */
    public Domain domain(final int domid)
    {
        return manager.domains().get(domid);
    }

    public MachineMemory memory()
    {
        return memory;
    }

    public DomainManager manager()
    {
        return manager;
    }

    /** The reaper, to drive with {@code doWork()} when booted with {@code threadedReaper(false)}. */
    public DomainReaper reaper()
    {
        return manager.reaper();
    }

    /** Destroys every domain, dom0 last, stops the reaper and releases machine memory. Not from a vCPU thread. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (reaperRunner != null)
            {
                reaperRunner.close();
            }
            manager.shutdownAll();
        }
        finally
        {
            memory.close();
        }
    }
}
