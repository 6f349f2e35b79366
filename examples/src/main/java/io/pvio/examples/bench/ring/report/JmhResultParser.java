package io.pvio.examples.bench.ring.report;

import io.pvio.examples.bench.report.JsonParser;
import io.pvio.examples.bench.ring.RingKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.pvio.examples.bench.report.JmhJson.asObject;
import static io.pvio.examples.bench.report.JmhJson.numberOrZero;
import static io.pvio.examples.bench.report.JmhJson.optionalString;
import static io.pvio.examples.bench.report.JmhJson.rawData;
import static io.pvio.examples.bench.report.JmhJson.string;
import static io.pvio.examples.bench.report.JmhJson.sum;

/**
 * Reads JMH's JSON result file into {@link RingResults}. Only the two ring benchmarks are kept; anything else in
 * the file is ignored. Per configuration it takes the primary score's raw data (iterations by fork), the GC
 * profiler's {@code gc.alloc.rate.norm} and the {@code kicks}/{@code requests} auxiliary counters when present.
 */
public final class JmhResultParser
{
    private static final String ALLOC_NORM_SUFFIX = "gc.alloc.rate.norm";

    private JmhResultParser()
    {
    }

    /**
     * @throws IllegalArgumentException if the text is not a JMH JSON result or a ring result lacks a field.
     */
    public static RingResults parse(final String json)
    {
        final Object document = JsonParser.parse(json);
        if (!(document instanceof List))
        {
            throw new IllegalArgumentException("a JMH JSON result is an array of benchmark results");
        }
        final List<RingMeasurement> measurements = new ArrayList<>();
        RunInfo runInfo = null;
        for (final Object element : (List<?>)document)
        {
            final Map<?, ?> result = asObject(element, "benchmark result");
            final BenchmarkKind benchmark = BenchmarkKind.ofJmhName(string(result, "benchmark"));
            if (benchmark != null)
            {
                measurements.add(measurement(benchmark, result));
                if (runInfo == null)
                {
                    runInfo = runInfo(result);
                }
            }
        }
        if (runInfo == null)
        {
            throw new IllegalArgumentException("no ring benchmark result in the file");
        }
        return new RingResults(runInfo, measurements);
    }

    private static RingMeasurement measurement(final BenchmarkKind benchmark, final Map<?, ?> result)
    {
        final Map<?, ?> params = asObject(result.get("params"), "params");
        final RingKind ring = RingKind.valueOf(string(params, "ring"));
        final int pages = params.containsKey("pages") ? Integer.parseInt(string(params, "pages")) : 1;
        final int batchSize = params.containsKey("batchSize") ? Integer.parseInt(string(params, "batchSize")) : 1;
        final Map<?, ?> primary = asObject(result.get("primaryMetric"), "primaryMetric");
        final ForkSpread score = ForkSpread.ofIterations(rawData(primary));

        double allocBytesPerOp = Double.NaN;
        long kicks = -1;
        long requests = -1;
        final Object secondaryValue = result.get("secondaryMetrics");
        if (secondaryValue != null)
        {
            final Map<?, ?> secondary = asObject(secondaryValue, "secondaryMetrics");
            for (final Map.Entry<?, ?> metric : secondary.entrySet())
            {
                final String name = String.valueOf(metric.getKey());
                final Map<?, ?> values = asObject(metric.getValue(), name);
                if (name.endsWith(ALLOC_NORM_SUFFIX))
                {
                    allocBytesPerOp = ForkSpread.ofIterations(rawData(values)).median();
                }
                else if (name.equals("kicks"))
                {
                    kicks = sum(rawData(values));
                }
                else if (name.equals("requests"))
                {
                    requests = sum(rawData(values));
                }
            }
        }
        return new RingMeasurement(
            benchmark, ring, pages, batchSize, string(primary, "scoreUnit"), score, allocBytesPerOp, kicks, requests);
    }

    /** How one JMH result (one element of the file's array) was run; shared with the other suites' reports. */
    public static RunInfo runInfo(final Map<?, ?> result)
    {
        final List<String> jvmArgs = new ArrayList<>();
        final Object args = result.get("jvmArgs");
        if (args instanceof List)
        {
            for (final Object arg : (List<?>)args)
            {
                jvmArgs.add(String.valueOf(arg));
            }
        }
        return new RunInfo(
            optionalString(result, "jmhVersion"),
            optionalString(result, "jdkVersion"),
            optionalString(result, "vmName"),
            jvmArgs,
            (int)numberOrZero(result, "forks"),
            (int)numberOrZero(result, "warmupIterations"),
            optionalString(result, "warmupTime"),
            (int)numberOrZero(result, "measurementIterations"),
            optionalString(result, "measurementTime"));
    }

    /** A metric's {@code rawData}: measured iteration values, one list per fork; shared with the other reports. */






    /** JMH writes numbers as numbers, but NaN and infinities as strings. */
}
