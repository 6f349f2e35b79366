package io.pvio.examples.bench.block;

import java.util.List;

/**
 * A whole run: how it was made and one result per workload, in run order.
 *
 * @param settings    what was asked for.
 * @param queues      blkif rings connected (blkback's I/O threads) and native I/O threads.
 * @param imageFile   where the image was ({@code null} for a temporary file).
 * @param environment the JVM and machine, one line.
 * @param results     one per workload.
 */
public record BlockBenchResults(
    BlockBenchSettings settings,
    int queues,
    String imageFile,
    String environment,
    List<BlockBenchResult> results)
{
    public BlockBenchResults
    {
        if (queues < 1)
        {
            throw new IllegalArgumentException("queues must be at least 1: " + queues);
        }
        results = List.copyOf(results);
    }
}
