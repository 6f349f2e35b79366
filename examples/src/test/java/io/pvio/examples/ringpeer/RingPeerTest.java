package io.pvio.examples.ringpeer;

import io.pvio.ring.blkif.BlkifConformancePattern;
import io.pvio.ring.BackRing;
import io.pvio.ring.FrontRing;
import io.pvio.ring.SharedMemory;
import io.pvio.ring.SharedRing;
import io.pvio.ring.SringDescriptor;
import io.pvio.ring.blkif.BlkifAbi;
import io.pvio.ring.blkif.BlkifRequest;
import io.pvio.ring.blkif.BlkifRequestError;
import io.pvio.ring.blkif.BlkifRequestFlyweight;
import io.pvio.ring.blkif.BlkifResponseFlyweight;
import io.pvio.ring.blkif.BlkifRings;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.junit.jupiter.api.Test;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_READ;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_ERROR;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ring-peer data path in one thread on off-heap memory, each side driven by {@code doWork()}: the two ends
 * against each other, and each end against a hostile peer written by hand.
 */
class RingPeerTest
{
    private final SharedMemory memory = SharedMemory.allocateOffHeap(SringDescriptor.PAGE_SIZE_BYTES);
    private final AtomicBuffer buffer = memory.buffer();
    private final SharedRing ring = SharedRing.ofPageOrder(buffer, 0, BlkifRings.X86_64);
    private final FrontRing front = FrontRing.initialise(ring);
    private final BackRing back = BackRing.attach(ring);

    @Test
    void frontAndBackCompleteEveryRoundTrip()
    {
        final int count = 1000;
        final RingPeerFront frontPeer = new RingPeerFront(front, count);
        final RingPeerBack backPeer = new RingPeerBack(back, count);
        for (int cycle = 0; cycle < 10 * count && !(frontPeer.isDone() && backPeer.isDone()); cycle++)
        {
            frontPeer.doWork();
            backPeer.doWork();
        }

        assertNull(frontPeer.failure());
        assertNull(backPeer.failure());
        assertEquals(count, frontPeer.responsesReceived());
        assertEquals(count, backPeer.served());
        assertTrue(frontPeer.summary().startsWith("ring-peer front: 1000 of 1000 round trips correct"),
            frontPeer.summary());
        assertEquals(0, frontPeer.doWork(), "a finished peer does nothing more");
    }

    @Test
    void backAnswersAnInvalidRequestWithErrorAndFailsTheRun()
    {
        final BlkifRequestFlyweight request = new BlkifRequestFlyweight();
        BlkifConformancePattern.write(request.wrap(buffer, front.claimRequest()), 1);
        // blkif.h: nr_segments must be 1..BLKIF_MAX_SEGMENTS_PER_REQUEST for a read or write
        BlkifConformancePattern.write(request.wrap(buffer, front.claimRequest()), 2);
        request.nrSegments(12);
        BlkifConformancePattern.write(request.wrap(buffer, front.claimRequest()), 3);
        front.pushRequests();
        final RingPeerBack backPeer = new RingPeerBack(back, 3);

        assertEquals(3, backPeer.doWork());

        assertTrue(backPeer.isDone());
        assertEquals(1, backPeer.invalid());
        assertTrue(backPeer.failure().startsWith(
            "1 of 3 requests were invalid and answered BLKIF_RSP_ERROR; first: request 2 (id 0x2): "),
            backPeer.failure());
        final BlkifResponseFlyweight response = new BlkifResponseFlyweight();
        final int[] expectedStatus = {BLKIF_RSP_OKAY, BLKIF_RSP_ERROR, BLKIF_RSP_OKAY};
        assertEquals(3, front.pollResponses());
        for (int i = 0; i < 3; i++)
        {
            response.wrap(buffer, front.takeResponse());
            assertEquals(i + 1, response.id());
            assertEquals(BlkifConformancePattern.operation(i + 1), response.operation());
            assertEquals(expectedStatus[i], response.status());
        }
    }

    @Test
    void backHaltsOnAnImpossibleRequestProducerIndex()
    {
        // a hostile front end publishes 33 requests on a ring of 32
        buffer.putIntVolatile(SringDescriptor.REQ_PROD_OFFSET, 33);
        final RingPeerBack backPeer = new RingPeerBack(back, 100);

        backPeer.doWork();

        assertTrue(backPeer.isDone());
        assertTrue(backPeer.failure().contains("hostile request producer index 33"), backPeer.failure());
        assertEquals(0, backPeer.served());
    }

    @Test
    void frontRejectsAWrongOperationAWrongStatusAndAReplayedId()
    {
        // operation ^ 1 turns READ into WRITE and back
        assertFrontFailure((id, operation) -> new long[] {id, operation ^ 1, BLKIF_RSP_OKAY},
            "echoes operation");
        assertFrontFailure((id, operation) -> new long[] {id, operation, BLKIF_RSP_ERROR},
            "failed with status -1");
        assertFrontFailure((id, operation) -> new long[] {BlkifConformancePattern.id(0), operation, BLKIF_RSP_OKAY},
            "response 2 of 5 has id 0x" + Long.toHexString(BlkifConformancePattern.id(0)) + ", which was never issued");
    }

    @Test
    void runnerGivesUpAtTheDeadlineWhenNoPeerAnswers()
    {
        final RingPeerFront frontPeer = new RingPeerFront(front, 10);
        final long[] nowNs = {0};
        // a fake clock that advances 1 ms per reading: 100 readings to a 100 ms deadline, no real waiting
        final boolean finished = RingPeerRunner.run(frontPeer, NoOpIdleStrategy.INSTANCE, () -> nowNs[0] += 1_000_000,
            100_000_000L);

        assertFalse(finished);
        assertFalse(frontPeer.isDone());
        assertEquals(10, frontPeer.requestsSent());
        assertEquals(0, frontPeer.responsesReceived());
    }

    /** A back end that answers request i with answer(id, operation) = {id, operation, status}. */
    private interface HostileAnswer
    {
        long[] answer(long id, int operation);
    }

    private void assertFrontFailure(final HostileAnswer hostile, final String expectedMessage)
    {
        try (SharedMemory fresh = SharedMemory.allocateOffHeap(SringDescriptor.PAGE_SIZE_BYTES))
        {
            final AtomicBuffer freshBuffer = fresh.buffer();
            final FrontRing freshFront = FrontRing.initialise(SharedRing.ofPageOrder(freshBuffer, 0, BlkifRings.X86_64));
            final BackRing freshBack = BackRing.attach(freshFront.sharedRing());
            final RingPeerFront frontPeer = new RingPeerFront(freshFront, 5);
            final BlkifRequest copy = new BlkifRequest();
            final BlkifResponseFlyweight response = new BlkifResponseFlyweight();
            frontPeer.doWork();
            final int available = freshBack.pollRequests();
            assertEquals(5, available);
            for (int i = 0; i < available; i++)
            {
                copy.copyFrom(freshBuffer, freshBack.takeRequest(), BlkifAbi.X86_64);
                // the first answer is always honest, so the front end must check each response, not only the first
                final long[] answer = i == 0 ?
                    new long[] {copy.id(), copy.operation(), BLKIF_RSP_OKAY} : hostile.answer(copy.id(), copy.operation());
                response.wrap(freshBuffer, freshBack.claimResponse());
                response.write(answer[0], (int)answer[1], (int)answer[2]);
            }
            freshBack.pushResponses();

            frontPeer.doWork();

            assertTrue(frontPeer.isDone());
            assertTrue(frontPeer.failure() != null && frontPeer.failure().contains(expectedMessage),
                () -> "expected '" + expectedMessage + "', got: " + frontPeer.failure());
            assertEquals(1, frontPeer.responsesReceived());
        }
    }
}
