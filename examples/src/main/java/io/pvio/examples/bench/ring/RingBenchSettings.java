package io.pvio.examples.bench.ring;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to run the ring benchmark suite.
 *
 * @param forks                  JVM forks per configuration (at least 5 for conclusions: results swing between
 *                               forks on a shared machine).
 * @param warmupIterations       warm-up iterations per fork.
 * @param measurementIterations  measured iterations per fork.
 * @param iterationTimeMs        length of every iteration.
 * @param include                JMH include regex over benchmark names.
 * @param params                 JMH parameter overrides (name to values), e.g. {@code ring=PVIO,JCTOOLS}; empty for
 *                               every configuration.
 * @param jsonFile               where JMH writes its JSON results.
 * @param boundsChecks           keep Agrona's buffer bounds checks in the forks (off by default, as Agrona-based
 *                               systems are usually run for speed; they affect only pvio and Agrona, the two rings
 *                               whose entries live in an Agrona buffer).
 */
public record RingBenchSettings(
    int forks,
    int warmupIterations,
    int measurementIterations,
    int iterationTimeMs,
    String include,
    Map<String, List<String>> params,
    Path jsonFile,
    boolean boundsChecks)
{
    /** Benchmark configurations in the full suite: one per ring kind x 2 sizes x 3 batches, plus a round trip each. */
    public static final int FULL_SUITE_CONFIGURATIONS = RingKind.values().length * (2 * 3 + 1);
    /** Measured cost of a fork beyond its iterations: JVM start, JIT, ring setup and teardown. */
    private static final double FORK_OVERHEAD_SECONDS = 0.6;

    public RingBenchSettings
    {
        if (forks < 1 || warmupIterations < 0 || measurementIterations < 1 || iterationTimeMs < 1)
        {
            throw new IllegalArgumentException(
                "forks, iterations and iteration time must be positive (warm-up may be 0)");
        }
        params = Map.copyOf(params);
    }

    /** Estimated wall-clock seconds of the full suite with these settings. */
    public double estimatedFullSuiteSeconds()
    {
        final double perForkSeconds =
            (warmupIterations + measurementIterations) * iterationTimeMs / 1000.0 + FORK_OVERHEAD_SECONDS;
        return FULL_SUITE_CONFIGURATIONS * forks * perForkSeconds;
    }
}
