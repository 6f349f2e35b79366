package io.pvio.hypervisor.domain;

import io.pvio.ring.evtchn.SharedInfoDescriptor;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What to build a domain with ({@code XEN_DOMCTL_createdomain} plus the toolstack's memory and image settings).
 * Fluent setters; read once when the domain is created, so a config may be reused.
 * <p>
 * Frames 0 .. {@link #grantFrames()} of the new domain are taken from its initial reservation: gfn 0 holds
 * {@code shared_info}, gfns 1 .. grantFrames its grant table.
 */
public final class DomainConfig
{
    /** Largest grant table (Xen's default {@code max_grant_frames} is 64). */
    public static final int MAX_GRANT_FRAMES = 64;

    private String name = "domU";
    private int memoryPages = 64;
    private int maxPages = -1;
    private int gfnCount = -1;
    private int vcpuCount = 1;
    private int maxPorts = 1024;
    private int grantFrames = 1;
    private int maptrackEntries = 1024;
    private VcpuScheduling vcpuScheduling = VcpuScheduling.THREADED;
    private Supplier<IdleStrategy> pollIdleStrategy = () -> new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
    private long maxBlockNs = TimeUnit.MILLISECONDS.toNanos(100);
    private GuestImage image;

    public String name()
    {
        return name;
    }

    public DomainConfig name(final String name)
    {
        this.name = name;
        return this;
    }

    /** Initial reservation in frames (including shared info and grant table frames). */
    public int memoryPages()
    {
        return memoryPages;
    }

    public DomainConfig memoryPages(final int memoryPages)
    {
        this.memoryPages = memoryPages;
        return this;
    }

    /** Reservation ceiling ({@code max_pages}); defaults to {@link #memoryPages()}. */
    public int maxPages()
    {
        return maxPages < 0 ? memoryPages : maxPages;
    }

    public DomainConfig maxPages(final int maxPages)
    {
        this.maxPages = maxPages;
        return this;
    }

    /** Size of the pseudo-physical space; defaults to {@link #maxPages()}. */
    public int gfnCount()
    {
        return gfnCount < 0 ? Math.max(maxPages(), memoryPages) : gfnCount;
    }

    public DomainConfig gfnCount(final int gfnCount)
    {
        this.gfnCount = gfnCount;
        return this;
    }

    public int vcpuCount()
    {
        return vcpuCount;
    }

    public DomainConfig vcpuCount(final int vcpuCount)
    {
        this.vcpuCount = vcpuCount;
        return this;
    }

    /** Event channel ports (Xen's {@code max_evtchn_port} + 1), at most 4096 with the 2-level ABI. */
    public int maxPorts()
    {
        return maxPorts;
    }

    public DomainConfig maxPorts(final int maxPorts)
    {
        this.maxPorts = maxPorts;
        return this;
    }

    /** Grant table frames (512 grant references each). */
    public int grantFrames()
    {
        return grantFrames;
    }

    public DomainConfig grantFrames(final int grantFrames)
    {
        this.grantFrames = grantFrames;
        return this;
    }

    /** How many grant mappings this domain may hold at once (its maptrack limit). */
    public int maptrackEntries()
    {
        return maptrackEntries;
    }

    public DomainConfig maptrackEntries(final int maptrackEntries)
    {
        this.maptrackEntries = maptrackEntries;
        return this;
    }

    public VcpuScheduling vcpuScheduling()
    {
        return vcpuScheduling;
    }

    public DomainConfig vcpuScheduling(final VcpuScheduling vcpuScheduling)
    {
        this.vcpuScheduling = vcpuScheduling;
        return this;
    }

    /**
     * How a vCPU idles when its guest did no work but did not block (a polling guest). A blocked vCPU always parks
     * until an event, its timer or a state change.
     */
    public Supplier<IdleStrategy> pollIdleStrategy()
    {
        return pollIdleStrategy;
    }

    public DomainConfig pollIdleStrategy(final Supplier<IdleStrategy> pollIdleStrategy)
    {
        this.pollIdleStrategy = pollIdleStrategy;
        return this;
    }

    /**
     * Longest a blocked or paused vCPU parks before it re-checks on its own. Every wake-up is signalled explicitly;
     * this is only a safety net (tests raise it so that a lost wake-up cannot hide behind it).
     */
    public long maxBlockNs()
    {
        return maxBlockNs;
    }

    public DomainConfig maxBlockNs(final long maxBlockNs)
    {
        this.maxBlockNs = maxBlockNs;
        return this;
    }

    public GuestImage image()
    {
        return image;
    }

    public DomainConfig image(final GuestImage image)
    {
        this.image = image;
        return this;
    }

    /**
     * @return null if valid, else what is wrong.
     */
    public String validate()
    {
        if (image == null)
        {
            return "no guest image";
        }
        if (vcpuCount < 1 || vcpuCount > SharedInfoDescriptor.MAX_VIRT_CPUS)
        {
            return "vcpuCount must be in 1.." + SharedInfoDescriptor.MAX_VIRT_CPUS + ": " + vcpuCount;
        }
        if (grantFrames < 1 || grantFrames > MAX_GRANT_FRAMES)
        {
            return "grantFrames must be in 1.." + MAX_GRANT_FRAMES + ": " + grantFrames;
        }
        if (memoryPages < 1 + grantFrames)
        {
            return "memoryPages must cover shared info and " + grantFrames + " grant frames: " + memoryPages;
        }
        if (maxPages() < memoryPages || gfnCount() < memoryPages)
        {
            return "maxPages and gfnCount must be at least memoryPages (" + memoryPages + ")";
        }
        if (maxPorts < 2 || maxPorts > SharedInfoDescriptor.NR_EVENT_CHANNELS)
        {
            return "maxPorts must be in 2.." + SharedInfoDescriptor.NR_EVENT_CHANNELS + ": " + maxPorts;
        }
        if (maxBlockNs <= 0)
        {
            return "maxBlockNs must be positive: " + maxBlockNs;
        }
        if (maptrackEntries < 0)
        {
            return "maptrackEntries must be non-negative: " + maptrackEntries;
        }
        return null;
    }
}
