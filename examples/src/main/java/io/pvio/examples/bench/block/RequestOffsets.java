package io.pvio.examples.bench.block;

/**
 * Where request number {@code i} of a workload goes, the same for both paths: a pure function of the index, so
 * any thread may ask and the PV and native runs visit the same offsets in the same order.
 * <ul>
 *   <li>random: a 4 KiB-aligned block chosen by SplitMix64 of {@code seed + i}, uniform over the image;</li>
 *   <li>sequential: request {@code i} covers bytes {@code [i * size, (i + 1) * size)}, wrapping at the last whole
 *       request that fits in the image.</li>
 * </ul>
 */
final class RequestOffsets
{
    private final boolean sequential;
    private final long requestBytes;
    private final long slots;
    private final long seed;

    RequestOffsets(final BlockWorkload workload, final long imageBytes, final long seed)
    {
        this.sequential = workload.isSequential();
        this.requestBytes = workload.requestBytes();
        this.slots = sequential ? imageBytes / requestBytes : imageBytes / BlockWorkload.BLOCK_BYTES;
        this.seed = seed;
    }

    /** Byte offset of request {@code index} (0, 1, 2 ...). */
    long offsetBytes(final long index)
    {
        if (sequential)
        {
            return (index % slots) * requestBytes;
        }
        return Long.remainderUnsigned(splitMix64(seed + index), slots) * BlockWorkload.BLOCK_BYTES;
    }

    /** Steele, Lea and Flood's SplitMix64 finaliser: a bijection with good avalanche. */
    static long splitMix64(final long value)
    {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
