package io.pvio.examples.bench.block;

import io.pvio.hypervisor.hypercall.HypercallOp;

import java.util.Arrays;
import java.util.List;

/**
 * One workload's figures: the rounds of the PV path and of the native path (each round one window of the same
 * length on each path, the paths taking turns), and the PV side's counter changes over each of its windows.
 * <p>
 * A path's IOPS is the median of its rounds, so one round disturbed by the machine (a page-cache write-back, another
 * process) moves neither path's figure; the ratio is the ratio of the two medians.
 *
 * @param workload     what ran.
 * @param queueDepth   requests kept in flight on both paths.
 * @param pvRounds     the PV path, one measurement per round, in run order.
 * @param nativeRounds the same requests done directly with {@code FileChannel}, likewise.
 * @param pvRoundCounters the PV side's counter changes over each round's measured window, in run order.
 * @param crossCoreNs  per round, the cross-core round trip measured just before it ({@link CrossCoreProbe}).
 */
record BlockBenchResult(
    BlockWorkload workload,
    int queueDepth,
    List<PathMeasurement> pvRounds,
    List<PathMeasurement> nativeRounds,
    List<PvCounters> pvRoundCounters,
    List<Double> crossCoreNs)
{
    BlockBenchResult
    {
        pvRounds = List.copyOf(pvRounds);
        nativeRounds = List.copyOf(nativeRounds);
        pvRoundCounters = List.copyOf(pvRoundCounters);
        crossCoreNs = List.copyOf(crossCoreNs);
        if (pvRounds.isEmpty() || pvRounds.size() != nativeRounds.size() || crossCoreNs.size() != pvRounds.size() ||
            pvRoundCounters.size() != pvRounds.size())
        {
            throw new IllegalArgumentException("each round needs one window on each path, the PV window's counters " +
                "and one probe: " + pvRounds.size() + " PV, " + nativeRounds.size() + " native, " +
                pvRoundCounters.size() + " counters, " + crossCoreNs.size() + " probes");
        }
    }

    /** The PV side's counter changes summed over every round's measured window. */
    PvCounters counters()
    {
        PvCounters sum = pvRoundCounters.get(0);
        for (int round = 1; round < pvRoundCounters.size(); round++)
        {
            sum = sum.plus(pvRoundCounters.get(round));
        }
        return sum;
    }

    /**
     * The share of the PV windows that blkback's {@code rings} rings sat empty, waiting for the front end (over every
     * round): time blkback's threads could not spend on I/O.
     */
    double ringEmptyShare(final int rings)
    {
        long windowsNs = 0;
        for (final PathMeasurement round : pvRounds)
        {
            windowsNs += round.elapsedNs();
        }
        return counters().ringEmptyShare(windowsNs, rings);
    }

    /** {@link #ringEmptyShare(int)} of round {@code round}'s PV window alone. */
    double roundRingEmptyShare(final int round, final int rings)
    {
        return pvRoundCounters.get(round).ringEmptyShare(pvRounds.get(round).elapsedNs(), rings);
    }

    /** The median of the rounds' cross-core round trips, in nanoseconds. */
    double medianCrossCoreNs()
    {
        return median(crossCoreNs.stream().mapToDouble(Double::doubleValue).toArray());
    }

    int rounds()
    {
        return pvRounds.size();
    }

    /** The PV path's median IOPS over the rounds. */
    double pvIops()
    {
        return medianIops(pvRounds);
    }

    /** The native path's median IOPS over the rounds. */
    double nativeIops()
    {
        return medianIops(nativeRounds);
    }

    double pvMbps()
    {
        return pvIops() * workload.requestBytes() / PathMeasurement.MB;
    }

    double nativeMbps()
    {
        return nativeIops() * workload.requestBytes() / PathMeasurement.MB;
    }

    /** PV IOPS / native IOPS, medians (the same as the MB/s ratio: both move the same request size). */
    double ratio()
    {
        return pvIops() / nativeIops();
    }

    /** Round {@code round}'s own PV/native ratio (the two windows of one round ran back to back). */
    double roundRatio(final int round)
    {
        return pvRounds.get(round).iops() / nativeRounds.get(round).iops();
    }

    /** The PV path's storage call (blkback's, timed in a sample), median over the rounds, in ns; NaN if untimed. */
    double pvStorageCallNs()
    {
        return medianOfTimed(pvRounds, round -> round.storageCallNs());
    }

    /** The native path's storage call, likewise. */
    double nativeStorageCallNs()
    {
        return medianOfTimed(nativeRounds, round -> round.storageCallNs());
    }

    /**
     * What blkback's {@code threads} I/O threads spent per request besides the storage call
     * ({@link PathMeasurement#restNsPerRequest}), median over the rounds, in ns; NaN if untimed.
     */
    double pvRestNs(final int threads)
    {
        return medianOfTimed(pvRounds, round -> round.restNsPerRequest(threads));
    }

    /** The same for the native path's {@code threads} I/O threads. */
    double nativeRestNs(final int threads)
    {
        return medianOfTimed(nativeRounds, round -> round.restNsPerRequest(threads));
    }

    /** Event-channel sends in both directions (front-end kicks + back-end notifications) per PV request. */
    double kicksPerRequest()
    {
        return perRequest(counters().frontendKicks() + counters().backendKicks());
    }

    /** Every hypercall by the guest and dom0 per PV request. */
    double hypercallsPerRequest()
    {
        return perRequest(counters().hypercalls());
    }

    double frontendKicksPerRequest()
    {
        return perRequest(counters().frontendKicks());
    }

    double backendKicksPerRequest()
    {
        return perRequest(counters().backendKicks());
    }

    double callsPerRequest(final HypercallOp op)
    {
        return perRequest(counters().calls(op));
    }

    /** Requests blkback answered per batch (one response push, at most one notification each). */
    double requestsPerBatch()
    {
        return counters().requestsPerBatch();
    }

    /** Share of PV requests blkback served straight on the guest's pages (no staging copy). */
    double directShare()
    {
        return perRequest(counters().directTransfers());
    }

    /** Driver agents' thread parks per PV request. */
    double parksPerRequest()
    {
        return perRequest(counters().parks());
    }

    private double perRequest(final long count)
    {
        long requests = 0;
        for (final PathMeasurement round : pvRounds)
        {
            requests += round.requests();
        }
        return (double)count / requests;
    }

    /** The median; for an even count, the mean of the middle two. */
    static double medianIops(final List<PathMeasurement> rounds)
    {
        final double[] iops = new double[rounds.size()];
        for (int i = 0; i < iops.length; i++)
        {
            iops[i] = rounds.get(i).iops();
        }
        return median(iops);
    }

    /** The median of {@code figure} over the rounds that have it (not NaN); NaN if none has. */
    private static double medianOfTimed(final List<PathMeasurement> rounds,
        final java.util.function.ToDoubleFunction<PathMeasurement> figure)
    {
        final double[] values = rounds.stream().mapToDouble(figure).filter(value -> !Double.isNaN(value)).toArray();
        return values.length == 0 ? Double.NaN : median(values);
    }

    private static double median(final double[] values)
    {
        Arrays.sort(values);
        final int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
