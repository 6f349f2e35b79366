package io.pvio.examples.bench.hypervisor.report;

import io.pvio.examples.bench.ring.report.ForkSpread;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One benchmark configuration's results.
 *
 * @param benchmark       which benchmark.
 * @param params          JMH parameters, in the result's order.
 * @param unit            JMH's score unit ({@code ns/op} or {@code ops/s}).
 * @param score           the primary score over forks.
 * @param allocBytesPerOp median over forks of {@code gc.alloc.rate.norm}, or NaN without the GC profiler.
 * @param counters        auxiliary counters summed over every measured iteration of every fork.
 */
public record HypervisorMeasurement(
    HypervisorBenchmark benchmark,
    Map<String, String> params,
    String unit,
    ForkSpread score,
    double allocBytesPerOp,
    Map<String, Long> counters)
{
    public HypervisorMeasurement
    {
        params = new LinkedHashMap<>(params);
        counters = Map.copyOf(counters);
    }

    /** The median score over forks. */
    public double median()
    {
        return score.median();
    }

    /** A counter's total, or -1 if not counted. */
    public long counter(final String name)
    {
        return counters.getOrDefault(name, -1L);
    }

    /** An integer parameter, or {@code missing}. */
    public int intParam(final String name, final int missing)
    {
        final String value = params.get(name);
        return value == null ? missing : Integer.parseInt(value);
    }

    /** Parameters as {@code name=value, ...}, or "-". */
    public String paramsLabel()
    {
        if (params.isEmpty())
        {
            return "-";
        }
        final StringBuilder label = new StringBuilder();
        for (final Map.Entry<String, String> param : params.entrySet())
        {
            if (label.length() > 0)
            {
                label.append(", ");
            }
            label.append(param.getKey()).append('=').append(param.getValue());
        }
        return label.toString();
    }
}
