package io.pvio.examples.bench.ring.report;

import io.pvio.examples.bench.report.Format;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static io.pvio.examples.bench.ring.report.BenchmarkKind.ROUND_TRIP;
import static io.pvio.examples.bench.ring.report.BenchmarkKind.THROUGHPUT;

/**
 * Renders {@link RingResults} as the Markdown report: how the run was made, the goals with the ratios reached, the
 * throughput table (with the chart), the round-trip table, and how the rings were made comparable. Every number
 * comes from the results.
 */
public final class MarkdownReportWriter
{
    private static final Comparator<RingMeasurement> TABLE_ORDER = Comparator
        .comparingInt(RingMeasurement::pages)
        .thenComparingInt(RingMeasurement::batchSize)
        .thenComparing(RingMeasurement::ring);

    private MarkdownReportWriter()
    {
    }

    /**
     * @param chartFileName the throughput chart's file name next to the report, e.g. {@code throughput.svg}.
     */
    public static String write(final RingResults results, final List<GoalLine> goals, final String chartFileName)
    {
        final StringBuilder out = new StringBuilder(16 * 1024);
        out.append("# pvio ring benchmark\n\n");
        run(out, results.runInfo());
        goals(out, goals);
        throughput(out, results, chartFileName);
        roundTrip(out, results);
        method(out);
        return out.toString();
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
        if (run.forks() < 5)
        {
            out.append("**Fewer than 5 forks: a smoke run, not a basis for conclusions.**\n\n");
        }
        out.append("Each fork's score is the median of its measured iterations; tables show the median over forks ")
            .append("and the range of fork scores. Results on a shared machine swing by several times between ")
            .append("forks, so compare ratios within this run, never absolute numbers across runs.\n\n");
    }

    private static void goals(final StringBuilder out, final List<GoalLine> goals)
    {
        out.append("## Goals\n\n| Goal | Measured | Result |\n|---|---|---|\n");
        for (final GoalLine goal : goals)
        {
            out.append("| ").append(goal.goal()).append(" | ").append(goal.measured()).append(" | ")
                .append(goal.status() == GoalLine.Status.MET ? "met" :
                    goal.status() == GoalLine.Status.SHORT ? "**short**" : goal.status().label())
                .append(" |\n");
        }
        out.append('\n');
    }

    private static void throughput(final StringBuilder out, final RingResults results, final String chartFileName)
    {
        out.append("## Throughput: request/response pairs per second\n\n");
        final List<RingMeasurement> rows = sorted(results.of(THROUGHPUT));
        if (rows.isEmpty())
        {
            out.append("Not measured in this run.\n\n");
            return;
        }
        out.append("| Ring | Pages | Batch | Suppression | Pairs/s (median) | Fork range | x fastest peer | ")
            .append("Kicks / 1,000 requests | B/op |\n")
            .append("|---|--:|--:|---|--:|--:|--:|--:|--:|\n");
        for (final RingMeasurement row : rows)
        {
            out.append("| ").append(row.ring().label())
                .append(" | ").append(row.pages())
                .append(" | ").append(row.batchSize())
                .append(" | ").append(row.ring().suppression())
                .append(" | ").append(Format.si(row.median()))
                .append(" | ").append(Format.si(row.score().min())).append(" - ").append(Format.si(row.score().max()))
                .append(" | ").append(ratioCell(results, row))
                .append(" | ").append(row.ring().isPvio() ? Format.decimal(row.kicksPerThousandRequests()) : "-")
                .append(" | ").append(Format.bytes(row.allocBytesPerOp()))
                .append(" |\n");
        }
        out.append("\n![Throughput by batch size](").append(chartFileName).append(")\n\n")
            .append("Kicks count doorbell notifications in both directions (to the back end and to the front end). ")
            .append("The peers have no notification at all: their consumers spin and yield, never sleep.\n\n");
    }

    private static void roundTrip(final StringBuilder out, final RingResults results)
    {
        out.append("## Round trip (ping-pong, one request in flight, both ends busy-spinning)\n\n");
        final List<RingMeasurement> rows = sorted(results.of(ROUND_TRIP));
        if (rows.isEmpty())
        {
            out.append("Not measured in this run.\n\n");
            return;
        }
        out.append("| Ring | Round trip (median) | Fork range | Speed x fastest peer | B/op |\n")
            .append("|---|--:|--:|--:|--:|\n");
        for (final RingMeasurement row : rows)
        {
            out.append("| ").append(row.ring().label())
                .append(" | ").append(Format.nanos(row.median()))
                .append(" | ").append(Format.nanos(row.score().min())).append(" - ")
                .append(Format.nanos(row.score().max()))
                .append(" | ").append(ratioCell(results, row))
                .append(" | ").append(Format.bytes(row.allocBytesPerOp()))
                .append(" |\n");
        }
        out.append('\n');
    }

    private static void method(final StringBuilder out)
    {
        out.append("## How the rings are made comparable\n\n")
            .append("- Same work per pair: the front end writes every field of a 112-byte blkif request ")
            .append("(operation, nr_segments = 11, handle, id, sector, 11 segments) and checks each 16-byte response ")
            .append("against the request it answers; the back end reads every field once and validates it, then ")
            .append("answers. pvio and Agrona carry the wire bytes through the same blkif flyweights; JCTools, the ")
            .append("Disruptor and ArrayBlockingQueue carry preallocated message objects with the same fields, ")
            .append("cycled by index (nothing is allocated per pair).\n")
            .append("- Same capacity: every queue pair holds as many in-flight entries as the pvio ring of that many ")
            .append("pages (32 or 512); the front end keeps that window full.\n")
            .append("- Same batching: the front end publishes B requests at once and each side takes at most B ")
            .append("entries per receive. Batch publish where the ring has it: pvio's one push per batch, the ")
            .append("Disruptor's next(n)/publish(lo, hi), JCTools' fill/drain. Agrona's OneToOneRingBuffer commits ")
            .append("each record (tryClaim/commit; no batch publish, batched read), ArrayBlockingQueue offers each ")
            .append("element (drainTo on the consuming side).\n")
            .append("- Waiting under load: the peers spin, then yield, and never sleep, so they never pay for a ")
            .append("wake-up. pvio spins for as many empty polls, yields for a hundred more, then arms the event ")
            .append("index (final check) and sleeps on a doorbell; a kick is a counted notification that unparks ")
            .append("the other side if it sleeps. \"Event index\" kicks only when the other side asked ")
            .append("(Xen's protocol); \"off\" kicks after every push. \"Polling\" publishes with a release store ")
            .append("only and waits exactly like the peers, never sleeping: what separates it from \"event index\" ")
            .append("is the price of Xen's notification protocol. In the round-trip benchmark every end busy-spins; ")
            .append("the event-index and kick-every-push variants still pay the fences of the notification protocol.\n")
            .append("- Memory: pvio's ring and Agrona's records are accessed through Agrona buffers; with ")
            .append("`-Dagrona.disable.bounds.checks=true` (the default of `pvio bench ring`, see the JVM arguments ")
            .append("above) neither pays per-access bounds checks, which the object-passing peers do not have ")
            .append("either.\n")
            .append("- Both threads live for the whole trial; between iterations every response is drained and the ")
            .append("back end parks, so nothing spins outside measurement and the GC profiler sees both threads.\n");
    }

    private static String ratioCell(final RingResults results, final RingMeasurement row)
    {
        return results.speedRatioToFastestPeer(row).map(Format::ratio).orElse("n/a");
    }

    private static List<RingMeasurement> sorted(final List<RingMeasurement> rows)
    {
        final List<RingMeasurement> sorted = new ArrayList<>(rows);
        sorted.sort(TABLE_ORDER);
        return sorted;
    }
}
