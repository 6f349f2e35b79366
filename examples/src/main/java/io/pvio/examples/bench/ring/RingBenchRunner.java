package io.pvio.examples.bench.ring;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.List;
import java.util.Map;

/**
 * Runs the ring benchmarks with JMH in this JVM, forking one JVM per configuration and fork, with the GC profiler
 * (allocation per pair) and a JSON result file. Forks inherit {@code java.class.path}, so this works from the shaded
 * {@code pvio.jar} as well as from a build tree.
 */
public final class RingBenchRunner
{
    /** Agrona 2 reaches {@code jdk.internal.misc.Unsafe}: every forked JVM needs this export. */
    public static final String AGRONA_EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    /** Agrona's switch for buffer bounds checks; the forks disable them unless asked to keep them. */
    public static final String DISABLE_BOUNDS_CHECKS = "-Dagrona.disable.bounds.checks=true";
    /** Both ring benchmarks and nothing else. */
    public static final String DEFAULT_INCLUDE =
        "^io\\.pvio\\.examples\\.bench\\.ring\\.Ring(Throughput|RoundTrip)Benchmark\\.";

    private RingBenchRunner()
    {
    }

    /** JMH options for {@code settings}. */
    public static Options options(final RingBenchSettings settings)
    {
        final ChainedOptionsBuilder builder = new OptionsBuilder()
            .include(settings.include())
            .forks(settings.forks())
            .warmupIterations(settings.warmupIterations())
            .warmupTime(TimeValue.milliseconds(settings.iterationTimeMs()))
            .measurementIterations(settings.measurementIterations())
            .measurementTime(TimeValue.milliseconds(settings.iterationTimeMs()))
            .threads(1)
            .timeout(TimeValue.minutes(2))
            .jvmArgsAppend(settings.boundsChecks() ?
                new String[] {AGRONA_EXPORTS} : new String[] {AGRONA_EXPORTS, DISABLE_BOUNDS_CHECKS})
            .addProfiler(GCProfiler.class)
            .result(settings.jsonFile().toString())
            .resultFormat(ResultFormatType.JSON);
        for (final Map.Entry<String, List<String>> param : settings.params().entrySet())
        {
            builder.param(param.getKey(), param.getValue().toArray(new String[0]));
        }
        return builder.build();
    }

    /** Runs the suite; JMH prints progress to standard output and writes the JSON result file. */
    public static void run(final RingBenchSettings settings) throws RunnerException
    {
        new Runner(options(settings)).run();
    }
}
