package io.pvio.examples.bench.ring.report;

/** The two ring benchmarks, recognised by their JMH method names. */
public enum BenchmarkKind
{
    /** {@code RingThroughputBenchmark.pairs}: pairs per second, higher is better. */
    THROUGHPUT("io.pvio.examples.bench.ring.RingThroughputBenchmark.pairs"),
    /** {@code RingRoundTripBenchmark.roundTrip}: nanoseconds per round trip, lower is better. */
    ROUND_TRIP("io.pvio.examples.bench.ring.RingRoundTripBenchmark.roundTrip");

    private final String jmhName;

    BenchmarkKind(final String jmhName)
    {
        this.jmhName = jmhName;
    }

    /** The benchmark's full JMH name, as in the JSON result. */
    public String jmhName()
    {
        return jmhName;
    }

    /** The kind whose JMH name is {@code benchmark}, or null for a benchmark this report does not cover. */
    static BenchmarkKind ofJmhName(final String benchmark)
    {
        for (final BenchmarkKind kind : values())
        {
            if (kind.jmhName.equals(benchmark))
            {
                return kind;
            }
        }
        return null;
    }
}
