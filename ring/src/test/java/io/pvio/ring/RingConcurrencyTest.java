package io.pvio.ring;

import io.pvio.ring.testkit.ParkingDoorbell;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A front-end thread and a back-end thread move millions of requests and responses with indices starting just
 * below 2^32. Both sides sleep on the event index (final check, then park on a doorbell with no timeout) and kick
 * only when the ring says so, so a lost wake-up anywhere in the protocol hangs the exchange and fails the test.
 */
class RingConcurrencyTest
{
    private static final RingEntryLayout LAYOUT = RingEntryLayout.of("blkif-sized", 112, 16, 8);
    private static final Duration DEADLINE = Duration.ofMinutes(2);

    @ParameterizedTest(name = "{0} pairs, ring-page-order {1}, batch {2}")
    @CsvSource({"2000000, 0, 1", "2000000, 0, 16", "2000000, 4, 64"})
    void noEntryIsLostDuplicatedOrReorderedAndNoWakeUpIsMissed(
        final int pairs, final int ringPageOrder, final int maxBatch)
    {
        assertTimeoutPreemptively(DEADLINE, () -> exchange(pairs, ringPageOrder, maxBatch, -1000));
    }

    @Test
    void eventIndexSuppressesMostKicksWhenTheBackEndIsBusy()
    {
        final long[] kicks = assertTimeoutPreemptively(DEADLINE, () -> exchange(1_000_000, 0, 32, 0));
        // Without suppression there is one kick per push. With it, far fewer: a sleeping side is kicked once per
        // wake-up. This bounds nothing about speed, only that the event index is honoured at all.
        final long pushes = 1_000_000 / 32;
        assertTrue(kicks[0] < pushes, "front-end kicks " + kicks[0] + " vs " + pushes + " pushes");
    }

    /** Runs the exchange and returns {front-end kicks, back-end kicks}. */
    private static long[] exchange(final int pairs, final int ringPageOrder, final int maxBatch, final int startIndex)
        throws InterruptedException
    {
        final int ringBytes = SringDescriptor.ringBytes(ringPageOrder);
        try (SharedMemory memory = SharedMemory.allocateOffHeap(ringBytes))
        {
            final AtomicBuffer buffer = memory.buffer();
            final SharedRing ring = new SharedRing(buffer, 0, ringBytes, LAYOUT);
            final FrontRing front = FrontRing.initialiseAt(ring, startIndex);
            final BackRing back = BackRing.attach(ring, startIndex);
            final ParkingDoorbell toBack = new ParkingDoorbell();
            final ParkingDoorbell toFront = new ParkingDoorbell();
            final AtomicReference<Throwable> backFailure = new AtomicReference<>();

            final Thread backThread = new Thread(() ->
            {
                toBack.bindToCurrentThread();
                try
                {
                    serve(back, buffer, pairs, toFront, toBack);
                }
                catch (final Throwable t)
                {
                    backFailure.set(t);
                    toFront.close();
                }
            }, "ring-back-end");
            backThread.setDaemon(true);
            toFront.bindToCurrentThread();
            backThread.start();
            try
            {
                drive(front, buffer, pairs, maxBatch, toBack, toFront);
            }
            finally
            {
                toBack.close();
                backThread.join(DEADLINE.toMillis());
            }
            assertNull(backFailure.get(), () -> "back end failed: " + backFailure.get());
            assertEquals(startIndex + pairs, front.requestProducerIndex());
            assertEquals(startIndex + pairs, back.responseProducerIndex());
            return new long[] {toBack.kicks(), toFront.kicks()};
        }
    }

    private static void drive(
        final FrontRing front,
        final AtomicBuffer buffer,
        final int pairs,
        final int maxBatch,
        final ParkingDoorbell toBack,
        final ParkingDoorbell toFront)
    {
        long sent = 0;
        long received = 0;
        while (received < pairs)
        {
            int batch = (int)Math.min(maxBatch, pairs - sent);
            while (batch-- > 0 && !front.isFull())
            {
                final int offset = front.claimRequest();
                buffer.putLong(offset, sent);
                buffer.putLong(offset + 104, ~sent); // first and last word of the 112-byte request
                sent++;
            }
            if (front.unpushedRequests() > 0 && front.pushRequestsAndCheckNotify())
            {
                toBack.kick();
            }
            for (int n = front.pollResponses(); n > 0; n--)
            {
                final int offset = front.takeResponse();
                final long echoed = buffer.getLong(offset);
                if (echoed != received || buffer.getLong(offset + 8) != -echoed)
                {
                    throw new AssertionError("response " + received + " carried " + echoed);
                }
                received++;
            }
            // Sleep only when nothing more can be sent and the final check (with rsp_event armed) finds nothing.
            final boolean canSend = sent < pairs && !front.isFull();
            if (!canSend && received < pairs && !front.finalCheckForResponses())
            {
                if (!toFront.await())
                {
                    throw new AssertionError("back end stopped after " + received + " responses");
                }
            }
        }
    }

    private static void serve(
        final BackRing back,
        final AtomicBuffer buffer,
        final int pairs,
        final ParkingDoorbell toFront,
        final ParkingDoorbell toBack)
    {
        long answered = 0;
        while (answered < pairs)
        {
            for (int n = back.pollRequests(); n > 0; n--)
            {
                final int requestOffset = back.takeRequest();
                final long sequence = buffer.getLong(requestOffset);
                if (sequence != answered || buffer.getLong(requestOffset + 104) != ~sequence)
                {
                    throw new AssertionError("request " + answered + " carried " + sequence);
                }
                final int responseOffset = back.claimResponse();
                buffer.putLong(responseOffset, sequence);
                buffer.putLong(responseOffset + 8, -sequence);
                answered++;
            }
            if (back.pushResponsesAndCheckNotify())
            {
                toFront.kick();
            }
            if (answered < pairs && !back.finalCheckForRequests())
            {
                if (!toBack.await())
                {
                    return;
                }
            }
        }
    }
}
