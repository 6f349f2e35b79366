package io.pvio.examples.bench.block;

import io.pvio.hypervisor.hypercall.HypercallOp;

/**
 * The PV side's counters at one instant, or the change between two ({@link #minus}), or a sum of changes
 * ({@link #plus}).
 *
 * @param guestCalls          the guest's hypercalls, indexed by {@link HypercallOp#ordinal()}.
 * @param dom0Calls           dom0's hypercalls, likewise.
 * @param backendRequests     requests blkback answered, over every ring.
 * @param backendBatches      batches blkback drained (one push of responses each).
 * @param backendNotifications events blkback sent the front end.
 * @param parks               times a driver agent (blkfront's or a blkback ring's) parked its thread.
 * @param directTransfers     reads and writes blkback did straight on the guest's pages (one storage call on the
 *                            kept mappings, no staging copy).
 * @param backendEmptyRingNs  nanoseconds blkback's rings sat empty, summed over the rings
 *                            ({@link io.pvio.backend.block.BlkbackCounters#emptyRingNs}).
 */
record PvCounters(
    long[] guestCalls,
    long[] dom0Calls,
    long backendRequests,
    long backendBatches,
    long backendNotifications,
    long parks,
    long directTransfers,
    long backendEmptyRingNs)
{
    PvCounters minus(final PvCounters earlier)
    {
        final long[] guest = new long[guestCalls.length];
        final long[] dom0 = new long[dom0Calls.length];
        for (int i = 0; i < guest.length; i++)
        {
            guest[i] = guestCalls[i] - earlier.guestCalls[i];
            dom0[i] = dom0Calls[i] - earlier.dom0Calls[i];
        }
        return new PvCounters(guest, dom0, backendRequests - earlier.backendRequests,
            backendBatches - earlier.backendBatches, backendNotifications - earlier.backendNotifications,
            parks - earlier.parks, directTransfers - earlier.directTransfers,
            backendEmptyRingNs - earlier.backendEmptyRingNs);
    }

    PvCounters plus(final PvCounters other)
    {
        final long[] guest = new long[guestCalls.length];
        final long[] dom0 = new long[dom0Calls.length];
        for (int i = 0; i < guest.length; i++)
        {
            guest[i] = guestCalls[i] + other.guestCalls[i];
            dom0[i] = dom0Calls[i] + other.dom0Calls[i];
        }
        return new PvCounters(guest, dom0, backendRequests + other.backendRequests,
            backendBatches + other.backendBatches, backendNotifications + other.backendNotifications,
            parks + other.parks, directTransfers + other.directTransfers,
            backendEmptyRingNs + other.backendEmptyRingNs);
    }

    /**
     * The share of a window of {@code windowNs} (these counters' changes over it) that blkback's {@code rings} rings
     * sat empty: time their threads could not spend on I/O.
     */
    double ringEmptyShare(final long windowNs, final int rings)
    {
        return (double)backendEmptyRingNs / ((double)windowNs * rings);
    }

    /** Requests blkback answered per batch (one response push, at most one notification each); NaN if none. */
    double requestsPerBatch()
    {
        return backendBatches == 0 ? Double.NaN : (double)backendRequests / backendBatches;
    }

    /** The front end's kicks: {@code EVTCHNOP_send} by the guest. */
    long frontendKicks()
    {
        return guestCalls[HypercallOp.EVTCHN_SEND.ordinal()];
    }

    /** The back end's notifications: {@code EVTCHNOP_send} by dom0. */
    long backendKicks()
    {
        return dom0Calls[HypercallOp.EVTCHN_SEND.ordinal()];
    }

    /** Every hypercall by the guest and dom0. */
    long hypercalls()
    {
        long total = 0;
        for (int i = 0; i < guestCalls.length; i++)
        {
            total += guestCalls[i] + dom0Calls[i];
        }
        return total;
    }

    /** Calls of {@code op} by the guest and dom0. */
    long calls(final HypercallOp op)
    {
        return guestCalls[op.ordinal()] + dom0Calls[op.ordinal()];
    }
}
