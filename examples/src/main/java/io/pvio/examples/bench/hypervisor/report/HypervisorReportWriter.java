package io.pvio.examples.bench.hypervisor.report;

import io.pvio.examples.bench.report.Format;
import io.pvio.examples.bench.ring.report.RunInfo;

import java.util.EnumSet;
import java.util.Set;

/** Renders {@link HypervisorResults} as Markdown: how the run was made, one table, one line per benchmark. */
public final class HypervisorReportWriter
{
    private HypervisorReportWriter()
    {
    }

    /** The whole report. */
    public static String markdown(final HypervisorResults results)
    {
        final StringBuilder out = new StringBuilder(8 * 1024);
        out.append("# pvio hypervisor benchmark\n\n");
        run(out, results.runInfo());
        out.append(table(results)).append('\n');
        explanations(out, results);
        return out.toString();
    }

    /** The results table alone (also printed on the console). */
    public static String table(final HypervisorResults results)
    {
        final StringBuilder out = new StringBuilder(4 * 1024);
        out.append("| Benchmark | Parameters | Score (median) | Fork range | B/op | Derived |\n")
            .append("|---|---|--:|--:|--:|---|\n");
        for (final HypervisorMeasurement row : results.measurements())
        {
            out.append("| ").append(row.benchmark().label())
                .append(" | ").append(row.paramsLabel())
                .append(" | ").append(score(row.median(), row.unit()))
                .append(" | ").append(score(row.score().min(), row.unit())).append(" - ")
                .append(score(row.score().max(), row.unit()))
                .append(" | ").append(Format.bytes(row.allocBytesPerOp()))
                .append(" | ").append(row.benchmark().derived(row))
                .append(" |\n");
        }
        return out.toString();
    }

    private static String score(final double value, final String unit)
    {
        return "ns/op".equals(unit) ? Format.nanos(value) : Format.si(value) + " " + unit;
    }

    private static void run(final StringBuilder out, final RunInfo run)
    {
        out.append("JMH ").append(run.jmhVersion()).append(", ").append(run.vmName()).append(' ')
            .append(run.jdkVersion()).append("; ").append(run.forks())
            .append(run.forks() == 1 ? " fork x (" : " forks x (")
            .append(run.warmupIterations()).append(" warm-up of ").append(run.warmupTime()).append(" + ")
            .append(run.measurementIterations()).append(" measured of ").append(run.measurementTime())
            .append(") per configuration; fork JVM arguments: `").append(String.join(" ", run.jvmArgs()))
            .append("`.\n\n");
        if (run.forks() < 3)
        {
            out.append("**Fewer than 3 forks: a smoke run, not a basis for conclusions.**\n\n");
        }
        out.append("Each fork's score is the median of its measured iterations; the table shows the median over ")
            .append("forks and the range of fork scores. B/op is the GC profiler's allocation per operation (median ")
            .append("over forks), which should be about 0. Agrona's bounds checks stay on: the hypervisor refuses to ")
            .append("boot without them.\n\n");
    }

    private static void explanations(final StringBuilder out, final HypervisorResults results)
    {
        final Set<HypervisorBenchmark> measured = EnumSet.noneOf(HypervisorBenchmark.class);
        for (final HypervisorMeasurement row : results.measurements())
        {
            measured.add(row.benchmark());
        }
        out.append("## What one operation is\n\n");
        for (final HypervisorBenchmark benchmark : measured)
        {
            out.append("- **").append(benchmark.label()).append("**: ").append(benchmark.explanation()).append('\n');
        }
    }
}
