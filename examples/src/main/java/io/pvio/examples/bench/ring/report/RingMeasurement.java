package io.pvio.examples.bench.ring.report;

import io.pvio.examples.bench.ring.RingKind;

/**
 * One benchmark configuration's results.
 *
 * @param benchmark          which benchmark.
 * @param ring               the ring measured.
 * @param pages              ring pages (1 or 16).
 * @param batchSize          batch size (1 for round trips).
 * @param unit               JMH's score unit ({@code ops/s} or {@code ns/op}).
 * @param score              the primary score over forks.
 * @param allocBytesPerOp    median over forks of {@code gc.alloc.rate.norm}, or NaN without the GC profiler.
 * @param kicks              doorbell kicks summed over every measured iteration, or -1 if not counted.
 * @param requests           requests summed over the same iterations, or -1 if not counted.
 */
public record RingMeasurement(
    BenchmarkKind benchmark,
    RingKind ring,
    int pages,
    int batchSize,
    String unit,
    ForkSpread score,
    double allocBytesPerOp,
    long kicks,
    long requests)
{
    /** Kicks per 1,000 requests, or NaN if not counted. */
    public double kicksPerThousandRequests()
    {
        return kicks < 0 || requests <= 0 ? Double.NaN : kicks * 1000.0 / requests;
    }

    /** The median score (pairs per second, or nanoseconds per round trip). */
    public double median()
    {
        return score.median();
    }
}
