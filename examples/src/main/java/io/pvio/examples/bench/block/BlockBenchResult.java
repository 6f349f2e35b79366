package io.pvio.examples.bench.block;

import io.pvio.hypervisor.hypercall.HypercallOp;

/**
 * One workload's figures: the PV path and the native path over the same window length, and the PV side's counter
 * changes over its window.
 *
 * @param workload   what ran.
 * @param queueDepth requests kept in flight on both paths.
 * @param pv         the PV path.
 * @param nativeIo   the same requests done directly with {@code FileChannel}.
 * @param counters   the PV side's counter changes over its measured window.
 */
record BlockBenchResult(
    BlockWorkload workload,
    int queueDepth,
    PathMeasurement pv,
    PathMeasurement nativeIo,
    PvCounters counters)
{
    /** PV IOPS / native IOPS (the same as the MB/s ratio: both move the same request size). */
    double ratio()
    {
        return pv.iops() / nativeIo.iops();
    }

    /** Event-channel sends in both directions (front-end kicks + back-end notifications) per PV request. */
    double kicksPerRequest()
    {
        return perRequest(counters.frontendKicks() + counters.backendKicks());
    }

    /** Every hypercall by the guest and dom0 per PV request. */
    double hypercallsPerRequest()
    {
        return perRequest(counters.hypercalls());
    }

    double frontendKicksPerRequest()
    {
        return perRequest(counters.frontendKicks());
    }

    double backendKicksPerRequest()
    {
        return perRequest(counters.backendKicks());
    }

    double callsPerRequest(final HypercallOp op)
    {
        return perRequest(counters.calls(op));
    }

    /** Requests blkback answered per batch (one response push, at most one notification each). */
    double requestsPerBatch()
    {
        return counters.backendBatches() == 0 ? Double.NaN :
            (double)counters.backendRequests() / counters.backendBatches();
    }

    /** Share of PV requests blkback served straight on the guest's pages (no staging copy). */
    double directShare()
    {
        return perRequest(counters.directTransfers());
    }

    /** Driver agents' thread parks per PV request. */
    double parksPerRequest()
    {
        return perRequest(counters.parks());
    }

    private double perRequest(final long count)
    {
        return (double)count / pv.requests();
    }
}
