package io.pvio.examples.bench.hypervisor.report;

import io.pvio.examples.bench.report.JmhJson;
import io.pvio.examples.bench.report.JsonParser;
import io.pvio.examples.bench.ring.report.ForkSpread;
import io.pvio.examples.bench.ring.report.JmhResultParser;
import io.pvio.examples.bench.ring.report.RunInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JMH's JSON result file into {@link HypervisorResults}: the hypervisor benchmarks only. Per configuration it
 * takes the primary score's raw data, the GC profiler's {@code gc.alloc.rate.norm} and every auxiliary counter
 * (secondary metrics that are not the profiler's), summed over iterations and forks.
 */
public final class HypervisorResultParser
{
    private static final String ALLOC_NORM_SUFFIX = "gc.alloc.rate.norm";
    /** The GC profiler's metrics (prefixed "gc." or, in older JMH, "\u00b7gc."); any other is a counter. */
    private static final String GC_PREFIX = "gc.";

    private HypervisorResultParser()
    {
    }

    /**
     * @throws IllegalArgumentException if the text is not a JMH JSON result, has no hypervisor benchmark, or a
     *                                  hypervisor result lacks a field.
     */
    public static HypervisorResults parse(final String json)
    {
        final Object document = JsonParser.parse(json);
        if (!(document instanceof List))
        {
            throw new IllegalArgumentException("a JMH JSON result is an array of benchmark results");
        }
        final List<HypervisorMeasurement> measurements = new ArrayList<>();
        RunInfo runInfo = null;
        for (final Object element : (List<?>)document)
        {
            final Map<?, ?> result = JmhJson.asObject(element, "benchmark result");
            final HypervisorBenchmark benchmark = HypervisorBenchmark.ofJmhName(JmhJson.string(result, "benchmark"));
            if (benchmark != null)
            {
                measurements.add(measurement(benchmark, result));
                if (runInfo == null)
                {
                    runInfo = JmhResultParser.runInfo(result);
                }
            }
        }
        if (runInfo == null)
        {
            throw new IllegalArgumentException("no hypervisor benchmark result in the file");
        }
        return new HypervisorResults(runInfo, measurements);
    }

    private static HypervisorMeasurement measurement(final HypervisorBenchmark benchmark, final Map<?, ?> result)
    {
        final Map<String, String> params = new LinkedHashMap<>();
        final Object paramsValue = result.get("params");
        if (paramsValue != null)
        {
            for (final Map.Entry<?, ?> param : JmhJson.asObject(paramsValue, "params").entrySet())
            {
                params.put(String.valueOf(param.getKey()), String.valueOf(param.getValue()));
            }
        }
        final Map<?, ?> primary = JmhJson.asObject(result.get("primaryMetric"), "primaryMetric");
        final ForkSpread score = ForkSpread.ofIterations(JmhJson.rawData(primary));

        double allocBytesPerOp = Double.NaN;
        final Map<String, Long> counters = new LinkedHashMap<>();
        final Object secondaryValue = result.get("secondaryMetrics");
        if (secondaryValue != null)
        {
            for (final Map.Entry<?, ?> metric : JmhJson.asObject(secondaryValue, "secondaryMetrics").entrySet())
            {
                final String name = String.valueOf(metric.getKey());
                final Map<?, ?> values = JmhJson.asObject(metric.getValue(), name);
                if (name.endsWith(ALLOC_NORM_SUFFIX))
                {
                    allocBytesPerOp = ForkSpread.ofIterations(JmhJson.rawData(values)).median();
                }
                else if (!name.contains(GC_PREFIX))
                {
                    counters.put(name, JmhJson.sum(JmhJson.rawData(values)));
                }
            }
        }
        return new HypervisorMeasurement(
            benchmark, params, JmhJson.string(primary, "scoreUnit"), score, allocBytesPerOp, counters);
    }



}
