package io.pvio.examples.bench.block;

import java.nio.file.Path;
import java.util.List;

/**
 * How to run {@code pvio bench block}.
 *
 * @param imageFile            the image to run on, or {@code null} for a temporary file deleted afterwards.
 * @param overwrite            whether an existing {@code imageFile} may be overwritten (its contents are lost).
 * @param imageBytes           image size; the pre-fill writes every byte of it.
 * @param warmupNs             per round, workload and path: requests run this long before the window opens.
 * @param measureNs            per round, workload and path: the measured window.
 * @param rounds               how many times each workload runs on each path, the two paths taking turns (PV first
 *                             in even rounds, native first in odd ones); the figures are the rounds' medians.
 * @param warmupRounds         rounds each workload runs first, on both paths (PV first), and are not counted: the
 *                             JIT compiles the workload's code on the PV path while they run, which on a small
 *                             machine takes a CPU the PV path needs and native does not.
 * @param queues               blkif rings (one blkback I/O thread each) and, the same number, native I/O threads.
 * @param sequentialQueueDepth requests in flight for the 1 MiB sequential workloads.
 * @param seed                 seed of the random offsets (the same for both paths).
 * @param idleSpinNs           how long the PV drivers' agents spin before parking ({@link
 *                             io.pvio.hypervisor.guest.EventIdleStrategy}).
 * @param awaitPollNs          how long, spin included, a PV driver agent owed answers (blkfront with requests in
 *                             flight) or expecting requests (blkback after serving) polls before parking; at
 *                             least {@code idleSpinNs}.
 * @param registeredBuffers    whether the PV requests' buffers are blkfront's registered buffers (granted once, no
 *                             copy in blkfront: {@link io.pvio.frontend.block.BlkfrontDevice#allocateBuffer}) or
 *                             plain guest pages (copied through blkfront's persistent pages).
 * @param workloads            what to run, in this order.
 */
public record BlockBenchSettings(
    Path imageFile,
    boolean overwrite,
    long imageBytes,
    long warmupNs,
    long measureNs,
    int rounds,
    int warmupRounds,
    int queues,
    int sequentialQueueDepth,
    long seed,
    long idleSpinNs,
    long awaitPollNs,
    boolean registeredBuffers,
    List<BlockWorkload> workloads)
{
    public static final long MIB = 1L << 20;
    /** Smallest image: the 1 MiB workloads need at least {@link #sequentialQueueDepth} MiB to wrap around. */
    public static final long MIN_IMAGE_BYTES = 16 * MIB;
    /** Largest image: the pre-fill writes all of it. */
    public static final long MAX_IMAGE_BYTES = 64L * 1024 * MIB;
    /** The guest's grant table (16 frames, 8,192 refs) holds this many 1 MiB requests' grants with room to spare. */
    public static final int MAX_SEQUENTIAL_QUEUE_DEPTH = 16;
    /**
     * Most rings: each takes 257 of dom0's 4,096-page reservation in bounce frames and 384 guest pages (persistent
     * and indirect pages), all from {@link io.pvio.examples.block.BlockMachine}'s 16,384 machine frames.
     */
    public static final int MAX_QUEUES = 8;

    /**
     * Default rings: half the machine's cores (at least one), so blkback's I/O threads (and native's, as many) get
     * half the CPUs and the guest's vCPUs and blkfront the other half, as dom0 and a guest get their own CPUs on a
     * real Xen host. On 2 cores: 1.
     */
    public static int defaultQueues(final int cores)
    {
        return Math.max(1, Math.min(MAX_QUEUES, cores / 2));
    }
    /** Longest spin before a driver agent parks: 10 ms (beyond that it never parks in practice). */
    public static final long MAX_IDLE_SPIN_NS = 10_000_000;
    /** Most rounds per workload. */
    public static final int MAX_ROUNDS = 100;

    public BlockBenchSettings
    {
        workloads = List.copyOf(workloads);
        if (workloads.isEmpty())
        {
            throw new IllegalArgumentException("no workload to run");
        }
        if (imageBytes < MIN_IMAGE_BYTES || imageBytes > MAX_IMAGE_BYTES || imageBytes % MIB != 0)
        {
            throw new IllegalArgumentException("image size must be a whole number of MiB in " + MIN_IMAGE_BYTES / MIB +
                ".." + MAX_IMAGE_BYTES / MIB + " MiB: " + imageBytes + " bytes");
        }
        if (warmupNs < 0 || measureNs <= 0)
        {
            throw new IllegalArgumentException("the measured window must be positive and the warm-up not negative");
        }
        if (rounds < 1 || rounds > MAX_ROUNDS)
        {
            throw new IllegalArgumentException("rounds must be in 1.." + MAX_ROUNDS + ": " + rounds);
        }
        if (warmupRounds < 0 || warmupRounds > MAX_ROUNDS)
        {
            throw new IllegalArgumentException("warm-up rounds must be in 0.." + MAX_ROUNDS + ": " + warmupRounds);
        }
        if (idleSpinNs < 0 || idleSpinNs > MAX_IDLE_SPIN_NS)
        {
            throw new IllegalArgumentException("the drivers' idle spin must be in 0.." + MAX_IDLE_SPIN_NS / 1000 +
                " us: " + idleSpinNs / 1000 + " us");
        }
        if (awaitPollNs < idleSpinNs || awaitPollNs > MAX_IDLE_SPIN_NS)
        {
            throw new IllegalArgumentException("the drivers' poll for answers must be in " + idleSpinNs / 1000 +
                " (the idle spin).." + MAX_IDLE_SPIN_NS / 1000 + " us: " + awaitPollNs / 1000 + " us");
        }
        if (queues < 1 || queues > MAX_QUEUES)
        {
            throw new IllegalArgumentException("queues must be in 1.." + MAX_QUEUES + ": " + queues);
        }
        if (sequentialQueueDepth < 1 || sequentialQueueDepth > MAX_SEQUENTIAL_QUEUE_DEPTH)
        {
            throw new IllegalArgumentException("sequential queue depth must be in 1.." + MAX_SEQUENTIAL_QUEUE_DEPTH +
                ": " + sequentialQueueDepth);
        }
        if ((long)sequentialQueueDepth * BlockWorkload.SEQ_READ_1M.requestBytes() * 2 > imageBytes)
        {
            throw new IllegalArgumentException("the image must hold twice the sequential requests in flight (" +
                2 * sequentialQueueDepth + " MiB): " + imageBytes / MIB + " MiB");
        }
    }

    /** Largest queue depth any selected workload keeps. */
    public int maxQueueDepth()
    {
        int depth = 0;
        for (final BlockWorkload workload : workloads)
        {
            depth = Math.max(depth, workload.queueDepth(sequentialQueueDepth));
        }
        return depth;
    }

    /**
     * Estimated wall-clock seconds: every round, warm-up rounds included, of both paths of every workload, plus
     * pre-fill and boot.
     */
    public double estimatedSeconds()
    {
        final double perPathSeconds = (warmupNs + measureNs) / 1e9;
        return workloads.size() * (rounds + warmupRounds) * 2 * perPathSeconds + imageBytes / (500.0 * MIB) + 1.0;
    }
}
