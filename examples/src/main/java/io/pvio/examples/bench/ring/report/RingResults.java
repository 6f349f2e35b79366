package io.pvio.examples.bench.ring.report;

import io.pvio.examples.bench.ring.RingKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Every ring measurement of one JMH run, with the lookups the report needs. Peers are the rings other than pvio;
 * "the fastest peer" is always taken within the same run, the same benchmark and the same ring size and batch.
 *
 * @param runInfo      how the run was made (from its first configuration).
 * @param measurements every configuration measured, in JMH's order.
 */
public record RingResults(RunInfo runInfo, List<RingMeasurement> measurements)
{
    public RingResults
    {
        measurements = List.copyOf(measurements);
    }

    /** Every measurement of {@code benchmark}, in JMH's order. */
    public List<RingMeasurement> of(final BenchmarkKind benchmark)
    {
        final List<RingMeasurement> selected = new ArrayList<>();
        for (final RingMeasurement measurement : measurements)
        {
            if (measurement.benchmark() == benchmark)
            {
                selected.add(measurement);
            }
        }
        return selected;
    }

    /** The measurement of one configuration, if it was run. */
    public Optional<RingMeasurement> find(
        final BenchmarkKind benchmark, final RingKind ring, final int pages, final int batchSize)
    {
        for (final RingMeasurement measurement : measurements)
        {
            if (measurement.benchmark() == benchmark && measurement.ring() == ring &&
                measurement.pages() == pages && measurement.batchSize() == batchSize)
            {
                return Optional.of(measurement);
            }
        }
        return Optional.empty();
    }

    /**
     * The best peer at the same size and batch: the highest median throughput, or the lowest median round trip.
     */
    public Optional<RingMeasurement> fastestPeer(
        final BenchmarkKind benchmark, final int pages, final int batchSize)
    {
        RingMeasurement fastest = null;
        for (final RingMeasurement measurement : measurements)
        {
            if (measurement.benchmark() == benchmark && !measurement.ring().isPvio() &&
                measurement.pages() == pages && measurement.batchSize() == batchSize &&
                (fastest == null || isFaster(benchmark, measurement.median(), fastest.median())))
            {
                fastest = measurement;
            }
        }
        return Optional.ofNullable(fastest);
    }

    /**
     * How {@code measurement} compares with the fastest peer at its size and batch, as a speed ratio: above 1 it is
     * faster (more pairs per second, or a shorter round trip). Empty when no peer was measured there.
     */
    public Optional<Double> speedRatioToFastestPeer(final RingMeasurement measurement)
    {
        return fastestPeer(measurement.benchmark(), measurement.pages(), measurement.batchSize())
            .map(peer -> speedRatio(measurement.benchmark(), measurement, peer));
    }

    /** Speed of {@code ring} relative to {@code reference}: above 1 means {@code ring} is faster. */
    public static double speedRatio(
        final BenchmarkKind benchmark, final RingMeasurement ring, final RingMeasurement reference)
    {
        return benchmark == BenchmarkKind.THROUGHPUT ?
            ring.median() / reference.median() : reference.median() / ring.median();
    }

    /** Ring sizes measured by {@code benchmark}, ascending. */
    public SortedSet<Integer> pages(final BenchmarkKind benchmark)
    {
        final SortedSet<Integer> pages = new TreeSet<>();
        for (final RingMeasurement measurement : of(benchmark))
        {
            pages.add(measurement.pages());
        }
        return pages;
    }

    /** Batch sizes measured by {@code benchmark}, ascending. */
    public SortedSet<Integer> batchSizes(final BenchmarkKind benchmark)
    {
        final SortedSet<Integer> batchSizes = new TreeSet<>();
        for (final RingMeasurement measurement : of(benchmark))
        {
            batchSizes.add(measurement.batchSize());
        }
        return batchSizes;
    }

    private static boolean isFaster(final BenchmarkKind benchmark, final double score, final double than)
    {
        return benchmark == BenchmarkKind.THROUGHPUT ? score > than : score < than;
    }
}
