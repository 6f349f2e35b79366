package io.pvio.examples.bench.block;

import io.pvio.hypervisor.hypercall.HypercallOp;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a workload's rounds become its figures: medians per path, the ratio of the medians, counters per request. */
class BlockBenchResultTest
{
    private static final long SECOND_NS = 1_000_000_000L;

    private static PathMeasurement requestsInOneSecond(final long requests)
    {
        return new PathMeasurement(requests, SECOND_NS, BlockWorkload.RAND_READ_4K_QD32.requestBytes());
    }

    private static PvCounters sends(final long guestSends, final long dom0Sends)
    {
        return counters(guestSends, dom0Sends, 0);
    }

    private static PvCounters counters(final long guestSends, final long dom0Sends, final long emptyRingNs)
    {
        final long[] guest = new long[HypercallOp.values().length];
        final long[] dom0 = new long[HypercallOp.values().length];
        guest[HypercallOp.EVTCHN_SEND.ordinal()] = guestSends;
        dom0[HypercallOp.EVTCHN_SEND.ordinal()] = dom0Sends;
        return new PvCounters(guest, dom0, 0, 0, 0, 0, 0, emptyRingNs);
    }

    @Test
    void eachPathIsItsMedianRoundAndTheRatioIsTheirRatio()
    {
        // one disturbed round per path (a write-back, another process) moves neither median
        final BlockBenchResult result = new BlockBenchResult(BlockWorkload.RAND_READ_4K_QD32, 32,
            List.of(requestsInOneSecond(900), requestsInOneSecond(100), requestsInOneSecond(800)),
            List.of(requestsInOneSecond(1000), requestsInOneSecond(1100), requestsInOneSecond(5000)),
            List.of(sends(6, 0), sends(6, 0), sends(6, 0)), List.of(300.0, 100.0, 200.0));

        assertEquals(800, result.pvIops(), 1e-9);
        assertEquals(1100, result.nativeIops(), 1e-9);
        assertEquals(800.0 / 1100, result.ratio(), 1e-12);
        assertEquals(800 * 4096 / 1e6, result.pvMbps(), 1e-9);
        assertEquals(0.9, result.roundRatio(0), 1e-12);
        assertEquals(100.0 / 1100, result.roundRatio(1), 1e-12);
        // per request: over every PV request of every round (1,800), not the median round's
        assertEquals(18.0 / 1800, result.kicksPerRequest(), 1e-12);
        assertEquals(200, result.medianCrossCoreNs(), 1e-12);
    }

    private static PvCounters batches(final long requests, final long batches)
    {
        final long[] none = new long[HypercallOp.values().length];
        return new PvCounters(none, none.clone(), requests, batches, 0, 0, 0, 0);
    }

    @Test
    void requestsPerBatchIsPerRoundAndOverEveryRound()
    {
        // a round's own figure (stderr) and the workload's over all its PV requests, not a mean of the rounds'
        assertEquals(22.0, batches(220, 10).requestsPerBatch(), 1e-12);
        assertEquals(Double.NaN, batches(0, 0).requestsPerBatch());
        final BlockBenchResult result = new BlockBenchResult(BlockWorkload.RAND_READ_4K_QD32, 32,
            List.of(requestsInOneSecond(1), requestsInOneSecond(1)),
            List.of(requestsInOneSecond(1), requestsInOneSecond(1)),
            List.of(batches(220, 10), batches(30, 30)), List.of(1.0, 1.0));
        assertEquals(250.0 / 40, result.requestsPerBatch(), 1e-12);
    }

    @Test
    void anEvenNumberOfRoundsTakesTheMeanOfTheMiddleTwo()
    {
        final BlockBenchResult result = new BlockBenchResult(BlockWorkload.RAND_READ_4K_QD32, 32,
            List.of(requestsInOneSecond(400), requestsInOneSecond(100), requestsInOneSecond(300),
                requestsInOneSecond(200)),
            List.of(requestsInOneSecond(10), requestsInOneSecond(30), requestsInOneSecond(20),
                requestsInOneSecond(40)),
            List.of(sends(0, 0), sends(0, 0), sends(0, 0), sends(0, 0)), List.of(1.0, 2.0, 3.0, 4.0));

        assertEquals(250, result.pvIops(), 1e-9);
        assertEquals(25, result.nativeIops(), 1e-9);
    }

    @Test
    void everyRoundHasAWindowOnEachPath()
    {
        assertThrows(IllegalArgumentException.class, () -> new BlockBenchResult(BlockWorkload.RAND_READ_4K_QD32, 32,
            List.of(requestsInOneSecond(1), requestsInOneSecond(1)), List.of(requestsInOneSecond(1)),
            List.of(sends(0, 0), sends(0, 0)), List.of(1.0, 1.0)));
        assertThrows(IllegalArgumentException.class, () -> new BlockBenchResult(BlockWorkload.RAND_READ_4K_QD32, 32,
            List.of(), List.of(), List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new BlockBenchResult(BlockWorkload.RAND_READ_4K_QD32, 32,
            List.of(requestsInOneSecond(1)), List.of(requestsInOneSecond(1)), List.of(sends(0, 0)), List.of()));
        // the PV window of every round has its counters
        assertThrows(IllegalArgumentException.class, () -> new BlockBenchResult(BlockWorkload.RAND_READ_4K_QD32, 32,
            List.of(requestsInOneSecond(1)), List.of(requestsInOneSecond(1)), List.of(), List.of(1.0)));
    }

    @Test
    void theRingEmptyShareIsTheEmptyTimeOverTheWindowsTimesTheRings()
    {
        // two rounds of 1 s each: 10 ms and 30 ms empty, summed over 2 rings
        final BlockBenchResult result = new BlockBenchResult(BlockWorkload.RAND_READ_4K_QD32, 32,
            List.of(requestsInOneSecond(900), requestsInOneSecond(800)),
            List.of(requestsInOneSecond(1000), requestsInOneSecond(1000)),
            List.of(counters(1, 0, 10_000_000L), counters(2, 0, 30_000_000L)), List.of(1.0, 2.0));

        assertEquals(0.040 / 2, result.ringEmptyShare(1), 1e-12);
        assertEquals(0.040 / 4, result.ringEmptyShare(2), 1e-12);
        assertEquals(0.010, result.roundRingEmptyShare(0, 1), 1e-12);
        assertEquals(0.015, result.roundRingEmptyShare(1, 2), 1e-12);
        assertEquals(3, result.counters().frontendKicks());
    }

    @Test
    void aRunHasAtLeastOneQueue()
    {
        // the ring-empty share divides by the queues
        assertThrows(IllegalArgumentException.class, () -> new BlockBenchResults(null, 0, null, "env", List.of()));
        assertEquals(1, new BlockBenchResults(null, 1, null, "env", List.of()).queues());
    }

    @Test
    void countersOfTheRoundsAddUp()
    {
        final PvCounters sum = sends(1, 2).plus(sends(10, 20));
        assertEquals(11, sum.frontendKicks());
        assertEquals(22, sum.backendKicks());
        assertEquals(33, sum.hypercalls());
        final PvCounters window = counters(0, 0, 50).plus(counters(0, 0, 70)).minus(counters(0, 0, 20));
        assertEquals(100, window.backendEmptyRingNs());
    }

    @Test
    void anIoThreadsTimePerRequestSplitsIntoTheStorageCallAndTheRest()
    {
        // 1,000,000 requests in 1 s on 2 threads: 2,000 ns of a thread each, 1,500 of it in the storage call
        final PathMeasurement timed = new PathMeasurement(1_000_000, SECOND_NS, 4096, 1_500);
        assertEquals(2_000, timed.ioThreadNsPerRequest(2), 1e-9);
        assertEquals(500, timed.restNsPerRequest(2), 1e-9);
        assertEquals(-500, timed.restNsPerRequest(1), 1e-9);
        assertTrue(Double.isNaN(requestsInOneSecond(1_000).restNsPerRequest(1)));
    }

    @Test
    void theStorageCallAndTheRestAreMediansOverTheRoundsThatWereTimed()
    {
        final List<PathMeasurement> pv = List.of(new PathMeasurement(1_000_000, SECOND_NS, 4096, 900),
            new PathMeasurement(800_000, SECOND_NS, 4096, Double.NaN),
            new PathMeasurement(500_000, SECOND_NS, 4096, 1_100),
            new PathMeasurement(900_000, SECOND_NS, 4096, 1_000));
        final List<PathMeasurement> untimed = List.of(requestsInOneSecond(1), requestsInOneSecond(2),
            requestsInOneSecond(3), requestsInOneSecond(4));
        final BlockBenchResult result = new BlockBenchResult(BlockWorkload.RAND_READ_4K_QD32, 32, pv, untimed,
            List.of(sends(0, 0), sends(0, 0), sends(0, 0), sends(0, 0)), List.of(100.0, 100.0, 100.0, 100.0));
        // the untimed round is left out: the median of 900, 1,100 and 1,000
        assertEquals(1_000, result.pvStorageCallNs(), 1e-9);
        // rests: 1,000 - 900 = 100, 2,000 - 1,100 = 900, 1,111.1 - 1,000 = 111.1
        assertEquals(1e9 / 900_000 - 1_000, result.pvRestNs(1), 1e-6);
        assertTrue(Double.isNaN(result.nativeStorageCallNs()));
        assertTrue(Double.isNaN(result.nativeRestNs(1)));
    }
}
