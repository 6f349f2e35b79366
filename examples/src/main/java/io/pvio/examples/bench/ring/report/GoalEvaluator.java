package io.pvio.examples.bench.ring.report;

import io.pvio.examples.bench.report.Format;
import io.pvio.examples.bench.ring.RingKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.pvio.examples.bench.ring.report.BenchmarkKind.ROUND_TRIP;
import static io.pvio.examples.bench.ring.report.BenchmarkKind.THROUGHPUT;

/**
 * Checks one run against the ring's goals, using only that run's medians:
 * <ol>
 *   <li>batch 1: pvio (event-index suppression) moves at least as many pairs per second as the fastest peer;</li>
 *   <li>batch 32: pvio moves at least twice as many as the fastest peer;</li>
 *   <li>its round trip is no slower than Agrona's {@code OneToOneRingBuffer};</li>
 *   <li>under saturation (every throughput configuration) it needs fewer than 10 kicks per 1,000 requests;</li>
 *   <li>it allocates nothing per pair: {@code gc.alloc.rate.norm} below 1 B/op (JMH's own threads leave a
 *       residue of a few kilobytes per iteration; any real allocation per pair would be 16 B or more).</li>
 * </ol>
 * Goals 1 and 2 are checked for every ring size in the run.
 */
public final class GoalEvaluator
{
    static final double BATCH_1_MIN_RATIO = 1.0;
    static final double BATCH_32_MIN_RATIO = 2.0;
    static final double MAX_KICKS_PER_THOUSAND = 10.0;
    static final double MAX_ALLOC_BYTES_PER_OP = 1.0;
    /**
     * Speed goals are judged for pvio with Xen's notification protocol (it may sleep, so it pays a fence per push)
     * and for pvio polling (it waits exactly as the peers do, which never sleep).
     */
    private static final RingKind[] COMPARED_PVIO_MODES = {RingKind.PVIO, RingKind.PVIO_POLLING};

    private GoalEvaluator()
    {
    }

    /** The goal lines of one run, in the order listed above (goals 1 and 2 once per ring size). */
    public static List<GoalLine> evaluate(final RingResults results)
    {
        final List<GoalLine> lines = new ArrayList<>();
        for (final int pages : results.pages(THROUGHPUT))
        {
            for (final RingKind pvio : COMPARED_PVIO_MODES)
            {
                lines.add(throughputGoal(results, pvio, pages, 1, BATCH_1_MIN_RATIO));
                lines.add(throughputGoal(results, pvio, pages, 32, BATCH_32_MIN_RATIO));
            }
        }
        if (results.of(THROUGHPUT).isEmpty())
        {
            lines.add(GoalLine.notMeasured("throughput goals", "no throughput benchmark in this run"));
        }
        for (final RingKind pvio : COMPARED_PVIO_MODES)
        {
            lines.add(roundTripGoal(results, pvio));
        }
        lines.add(kicksGoal(results));
        lines.add(allocationGoal(results));
        return lines;
    }

    private static GoalLine throughputGoal(
        final RingResults results, final RingKind pvioKind, final int pages, final int batchSize, final double minRatio)
    {
        final String goal = "batch " + batchSize + ", " + Format.pages(pages) + ": " + pvioKind.label() + " moves " +
            (minRatio == 1.0 ? "as many" : Format.ratio(minRatio) + " as many") +
            " pairs/s as the fastest peer, or more";
        final Optional<RingMeasurement> pvio = results.find(THROUGHPUT, pvioKind, pages, batchSize);
        final Optional<RingMeasurement> peer = results.fastestPeer(THROUGHPUT, pages, batchSize);
        if (pvio.isEmpty() || peer.isEmpty())
        {
            return GoalLine.notMeasured(goal, "pvio or every peer missing at this size and batch");
        }
        final double ratio = RingResults.speedRatio(THROUGHPUT, pvio.get(), peer.get());
        return new GoalLine(goal,
            Format.ratio(ratio) + ": pvio " + Format.pairsPerSecond(pvio.get().median()) + " vs " +
                peer.get().ring().label() + " " + Format.pairsPerSecond(peer.get().median()),
            GoalLine.Status.of(ratio >= minRatio), ratio);
    }

    private static GoalLine roundTripGoal(final RingResults results, final RingKind pvioKind)
    {
        final String goal = "round trip: " + pvioKind.label() + " is no slower than Agrona OneToOneRingBuffer";
        final Optional<RingMeasurement> pvio = results.find(ROUND_TRIP, pvioKind, 1, 1);
        final Optional<RingMeasurement> agrona = results.find(ROUND_TRIP, RingKind.AGRONA, 1, 1);
        if (pvio.isEmpty() || agrona.isEmpty())
        {
            return GoalLine.notMeasured(goal, "pvio or Agrona round trip missing");
        }
        final double timeRatio = pvio.get().median() / agrona.get().median();
        return new GoalLine(goal,
            "pvio round trip = " + Format.ratio(timeRatio) + " Agrona's (" + Format.nanos(pvio.get().median()) +
                " vs " + Format.nanos(agrona.get().median()) + ")",
            GoalLine.Status.of(timeRatio <= 1.0), timeRatio);
    }

    private static GoalLine kicksGoal(final RingResults results)
    {
        final String goal = "saturation: pvio (event index) needs fewer than " +
            Format.decimal(MAX_KICKS_PER_THOUSAND) + " kicks per 1,000 requests in every throughput configuration";
        RingMeasurement worst = null;
        for (final RingMeasurement measurement : results.of(THROUGHPUT))
        {
            if (measurement.ring() == RingKind.PVIO && !Double.isNaN(measurement.kicksPerThousandRequests()) &&
                (worst == null || measurement.kicksPerThousandRequests() > worst.kicksPerThousandRequests()))
            {
                worst = measurement;
            }
        }
        if (worst == null)
        {
            return GoalLine.notMeasured(goal, "no pvio throughput result with kick counts");
        }
        final double kicks = worst.kicksPerThousandRequests();
        return new GoalLine(goal,
            "worst " + Format.decimal(kicks) + " per 1,000 (" + Format.pages(worst.pages()) + ", batch " +
                worst.batchSize() + ")",
            GoalLine.Status.of(kicks < MAX_KICKS_PER_THOUSAND), kicks);
    }

    private static GoalLine allocationGoal(final RingResults results)
    {
        final String goal = "pvio allocates 0 B per pair (gc.alloc.rate.norm below " +
            Format.decimal(MAX_ALLOC_BYTES_PER_OP) + " B/op, both modes, both benchmarks)";
        RingMeasurement worst = null;
        for (final RingMeasurement measurement : results.measurements())
        {
            if (measurement.ring().isPvio() && !Double.isNaN(measurement.allocBytesPerOp()) &&
                (worst == null || measurement.allocBytesPerOp() > worst.allocBytesPerOp()))
            {
                worst = measurement;
            }
        }
        if (worst == null)
        {
            return GoalLine.notMeasured(goal, "run without -prof gc");
        }
        final double bytes = worst.allocBytesPerOp();
        return new GoalLine(goal,
            "worst " + Format.bytes(bytes) + " B/op (" + worst.ring().label() + ", " +
                worst.benchmark().name().toLowerCase().replace('_', ' ') + ", " + Format.pages(worst.pages()) +
                ", batch " + worst.batchSize() + ")",
            GoalLine.Status.of(bytes < MAX_ALLOC_BYTES_PER_OP), bytes);
    }
}
