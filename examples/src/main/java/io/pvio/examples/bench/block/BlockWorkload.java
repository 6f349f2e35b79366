package io.pvio.examples.bench.block;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The six workloads of {@code pvio bench block}. Their names are a stable interface (the JSON output and the
 * {@code --workloads} filter use them).
 */
public enum BlockWorkload
{
    RAND_READ_4K_QD1("rand-read-4k-qd1", false, false, 4096, 1),
    RAND_READ_4K_QD32("rand-read-4k-qd32", false, false, 4096, 32),
    RAND_WRITE_4K_QD1("rand-write-4k-qd1", true, false, 4096, 1),
    RAND_WRITE_4K_QD32("rand-write-4k-qd32", true, false, 4096, 32),
    /** Queue depth from the settings ({@code --seq-queue-depth}). */
    SEQ_READ_1M("seq-read-1m", false, true, 1 << 20, 0),
    /** Queue depth from the settings ({@code --seq-queue-depth}). */
    SEQ_WRITE_1M("seq-write-1m", true, true, 1 << 20, 0);

    /** 4 KiB: random offsets are multiples of this. */
    public static final int BLOCK_BYTES = 4096;

    private static final BlockWorkload[] VALUES = values();

    private final String workloadName;
    private final boolean write;
    private final boolean sequential;
    private final int requestBytes;
    private final int fixedQueueDepth;

    BlockWorkload(
        final String workloadName, final boolean write, final boolean sequential, final int requestBytes,
        final int fixedQueueDepth)
    {
        this.workloadName = workloadName;
        this.write = write;
        this.sequential = sequential;
        this.requestBytes = requestBytes;
        this.fixedQueueDepth = fixedQueueDepth;
    }

    /** The stable name, e.g. {@code rand-read-4k-qd32}. */
    public String workloadName()
    {
        return workloadName;
    }

    public boolean isWrite()
    {
        return write;
    }

    /** Sequential (in order, wrapping at the end of the image) rather than random 4 KiB-aligned offsets. */
    public boolean isSequential()
    {
        return sequential;
    }

    public int requestBytes()
    {
        return requestBytes;
    }

    /** Pages of 4 KiB one request spans. */
    public int requestPages()
    {
        return requestBytes / BLOCK_BYTES;
    }

    /** Requests kept in flight: fixed for the 4 KiB workloads, {@code sequentialQueueDepth} for the 1 MiB ones. */
    public int queueDepth(final int sequentialQueueDepth)
    {
        return fixedQueueDepth > 0 ? fixedQueueDepth : sequentialQueueDepth;
    }

    /** @throws IllegalArgumentException naming the valid workloads if {@code name} is none of them. */
    public static BlockWorkload byName(final String name)
    {
        for (final BlockWorkload workload : VALUES)
        {
            if (workload.workloadName.equals(name))
            {
                return workload;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + name + "'; valid: " + names());
    }

    /** Every workload name, comma separated, in run order. */
    public static String names()
    {
        return Arrays.stream(VALUES).map(BlockWorkload::workloadName).collect(Collectors.joining(","));
    }
}
