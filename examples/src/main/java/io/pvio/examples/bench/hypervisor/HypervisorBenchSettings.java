package io.pvio.examples.bench.hypervisor;

import java.nio.file.Path;

/**
 * How to run the hypervisor benchmark suite.
 *
 * @param forks                 JVM forks per configuration (3 at least for conclusions; the command runs 5).
 * @param warmupIterations      warm-up iterations per fork.
 * @param measurementIterations measured iterations per fork.
 * @param iterationTimeMs       length of every iteration.
 * @param include               JMH include regex over benchmark names.
 * @param jsonFile              where JMH writes its JSON results.
 */
public record HypervisorBenchSettings(
    int forks,
    int warmupIterations,
    int measurementIterations,
    int iterationTimeMs,
    String include,
    Path jsonFile)
{
    /** Configurations in the full suite: 2 latency, 2 send rate, 2 map/unmap, 2 x 2 copy, 2 x 2 blkback read. */
    public static final int FULL_SUITE_CONFIGURATIONS = 2 + 2 + 2 + 4 + 4;
    /** Cost of a fork beyond its iterations: JVM start, JIT, hypervisor boot and teardown (measured 0.3 s). */
    private static final double FORK_OVERHEAD_SECONDS = 0.5;

    public HypervisorBenchSettings
    {
        if (forks < 1 || warmupIterations < 0 || measurementIterations < 1 || iterationTimeMs < 1)
        {
            throw new IllegalArgumentException(
                "forks, iterations and iteration time must be positive (warm-up may be 0)");
        }
    }

    /** Estimated wall-clock seconds of the full suite with these settings. */
    public double estimatedFullSuiteSeconds()
    {
        final double perForkSeconds =
            (warmupIterations + measurementIterations) * iterationTimeMs / 1000.0 + FORK_OVERHEAD_SECONDS;
        return FULL_SUITE_CONFIGURATIONS * forks * perForkSeconds;
    }
}
