package io.pvio.hypervisor;

import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.guest.IdleGuest;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.nio.file.Path;

/** How to boot a {@link Hypervisor}. Fluent setters; read once at boot. */
public final class HypervisorConfig
{
    private int machineFrames = 16_384;
    private Path memoryFile;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private ErrorHandler errorHandler = Throwable::printStackTrace;
    private DomainConfig dom0 = new DomainConfig().name("dom0").image(IdleGuest.image());
    private boolean threadedReaper = true;

    /** Frames of machine memory (4 KiB each). */
    public int machineFrames()
    {
        return machineFrames;
    }

    public HypervisorConfig machineFrames(final int machineFrames)
    {
        this.machineFrames = machineFrames;
        return this;
    }

    /** A file (that must not exist yet) to map machine memory from, so other processes can map it; null: off-heap. */
    public Path memoryFile()
    {
        return memoryFile;
    }

    public HypervisorConfig memoryFile(final Path memoryFile)
    {
        this.memoryFile = memoryFile;
        return this;
    }

    /** System time for vCPU timers; a {@code CachedNanoClock} lets tests drive time. */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    public HypervisorConfig nanoClock(final NanoClock nanoClock)
    {
        this.nanoClock = nanoClock;
        return this;
    }

    /** Where failures of hypervisor threads are reported (guest failures crash their domain instead). */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    public HypervisorConfig errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    /** dom0's configuration; its image is what runs as the control domain. */
    public DomainConfig dom0()
    {
        return dom0;
    }

    public HypervisorConfig dom0(final DomainConfig dom0)
    {
        this.dom0 = dom0;
        return this;
    }

    /** Whether the domain reaper runs on its own thread (default) or is driven by calling its {@code doWork()}. */
    public boolean threadedReaper()
    {
        return threadedReaper;
    }

    public HypervisorConfig threadedReaper(final boolean threadedReaper)
    {
        this.threadedReaper = threadedReaper;
        return this;
    }
}
