package io.pvio.ring;

import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A peer that writes impossible producer indices into the shared header is detected and never read past. */
class HostileRingPeerTest
{
    private static final RingEntryLayout LAYOUT = RingEntryLayout.of("test", 16, 16, 8);
    private static final int SIZE = 128;

    private final SharedMemory memory = SharedMemory.allocateOffHeap(4096);
    private final AtomicBuffer buffer = memory.buffer();
    private final SharedRing ring = SharedRing.ofPageOrder(buffer, 0, LAYOUT);

    @AfterEach
    void close()
    {
        memory.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {SIZE + 1, SIZE * 2, Integer.MAX_VALUE, -1, -SIZE})
    void requestProducerBeyondTheRingHaltsTheBackRing(final int bogusReqProd)
    {
        FrontRing.initialise(ring);
        final BackRing back = BackRing.attach(ring);
        buffer.putInt(SringDescriptor.REQ_PROD_OFFSET, bogusReqProd);

        final RingOverflowException ex = assertThrows(RingOverflowException.class, back::pollRequests);
        assertEquals(bogusReqProd, ex.producerIndex());
        assertEquals(SIZE, ex.ringSize());
        assertTrue(back.isFaulted());
        assertThrows(IllegalStateException.class, back::takeRequest, "nothing past the last valid index is read");

        // Halted for good: a front end that "fixes" the index does not revive the ring.
        buffer.putInt(SringDescriptor.REQ_PROD_OFFSET, 1);
        assertSame(ex, assertThrows(RingOverflowException.class, back::pollRequests));
        assertSame(ex, assertThrows(RingOverflowException.class, back::finalCheckForRequests));
    }

    @Test
    void aFullRingIsLegalButOneMoreIsNot()
    {
        FrontRing.initialise(ring);
        final BackRing back = BackRing.attach(ring);
        buffer.putInt(SringDescriptor.REQ_PROD_OFFSET, SIZE);
        assertEquals(SIZE, back.pollRequests());
        for (int i = 0; i < 10; i++)
        {
            back.takeRequest();
        }
        // 10 taken but unanswered: the front end may not reuse those slots, so SIZE + 1 is still an overflow.
        buffer.putInt(SringDescriptor.REQ_PROD_OFFSET, SIZE + 1);
        assertThrows(RingOverflowException.class, back::pollRequests);
    }

    @Test
    void answeredSlotsMayBeReusedByTheFrontEnd()
    {
        FrontRing.initialise(ring);
        final BackRing back = BackRing.attach(ring);
        buffer.putInt(SringDescriptor.REQ_PROD_OFFSET, SIZE);
        back.pollRequests();
        for (int i = 0; i < 10; i++)
        {
            back.takeRequest();
            back.claimResponse();
        }
        back.pushResponses();
        buffer.putInt(SringDescriptor.REQ_PROD_OFFSET, SIZE + 10);
        assertEquals(SIZE, back.pollRequests());
    }

    @Test
    void requestProducerMovingBackwardsIsRejected()
    {
        FrontRing.initialise(ring);
        final BackRing back = BackRing.attach(ring);
        buffer.putInt(SringDescriptor.REQ_PROD_OFFSET, 20);
        back.pollRequests();
        for (int i = 0; i < 15; i++)
        {
            back.takeRequest();
        }
        for (int i = 0; i < 5; i++)
        {
            back.claimResponse();
        }
        back.pushResponses();
        buffer.putInt(SringDescriptor.REQ_PROD_OFFSET, 12); // behind req_cons (15), ahead of rsp_prod_pvt (5)
        assertThrows(RingOverflowException.class, back::pollRequests);
    }

    @Test
    void responsesForRequestsNeverMadeHaltTheFrontRing()
    {
        final FrontRing front = FrontRing.initialise(ring);
        for (int i = 0; i < 3; i++)
        {
            front.claimRequest();
        }
        front.pushRequests();
        buffer.putInt(SringDescriptor.RSP_PROD_OFFSET, 4);
        final RingOverflowException ex = assertThrows(RingOverflowException.class, front::pollResponses);
        assertEquals(4, ex.producerIndex());
        assertTrue(front.isFaulted());
        assertThrows(IllegalStateException.class, front::takeResponse);
        assertThrows(RingOverflowException.class, front::finalCheckForResponses);
    }

    @Test
    void responsesMayNotAnswerClaimedButUnpushedRequests()
    {
        final FrontRing front = FrontRing.initialise(ring);
        front.claimRequest();
        front.pushRequests();
        front.claimRequest();
        buffer.putInt(SringDescriptor.RSP_PROD_OFFSET, 2);
        assertThrows(RingOverflowException.class, front::pollResponses);
    }

    @Test
    void bogusEventIndexOnlyAffectsWhetherWeNotify()
    {
        final FrontRing front = FrontRing.initialise(ring);
        final BackRing back = BackRing.attach(ring);
        buffer.putInt(SringDescriptor.REQ_EVENT_OFFSET, 0xdeadbeef);
        buffer.putInt(SringDescriptor.REQ_PROD_OFFSET, 0x7777); // the back end scribbles on the front's producer
        front.claimRequest();
        front.pushRequestsAndCheckNotify();
        // The front end keeps its own idea of what it published; the request is still delivered.
        assertEquals(1, back.pollRequests());
    }
}
