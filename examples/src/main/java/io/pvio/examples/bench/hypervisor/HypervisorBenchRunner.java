package io.pvio.examples.bench.hypervisor;

import io.pvio.examples.bench.ring.RingBenchRunner;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the hypervisor benchmarks with JMH, one forked JVM per configuration and fork, with the GC profiler
 * (allocation per operation) and a JSON result file. Forks inherit {@code java.class.path}, so this works from the
 * shaded {@code pvio.jar}. Unlike the ring suite the forks keep Agrona's bounds checks: the hypervisor refuses to
 * boot without them (guest views of memory rely on them for isolation).
 */
public final class HypervisorBenchRunner
{
    /** Every benchmark of this package. */
    public static final String DEFAULT_INCLUDE = "^io\\.pvio\\.examples\\.bench\\.hypervisor\\.";

    private HypervisorBenchRunner()
    {
    }

    /** JMH options for {@code settings}. */
    public static Options options(final HypervisorBenchSettings settings)
    {
        return new OptionsBuilder()
            .include(settings.include())
            .forks(settings.forks())
            .warmupIterations(settings.warmupIterations())
            .warmupTime(TimeValue.milliseconds(settings.iterationTimeMs()))
            .measurementIterations(settings.measurementIterations())
            .measurementTime(TimeValue.milliseconds(settings.iterationTimeMs()))
            .threads(1)
            .timeout(TimeValue.minutes(2))
            .jvmArgsAppend(RingBenchRunner.AGRONA_EXPORTS)
            .addProfiler(GCProfiler.class)
            .result(settings.jsonFile().toString())
            .resultFormat(ResultFormatType.JSON)
            .build();
    }

    /** Runs the suite; JMH prints progress to standard output and writes the JSON result file. */
    public static void run(final HypervisorBenchSettings settings) throws RunnerException
    {
        new Runner(options(settings)).run();
    }
}
