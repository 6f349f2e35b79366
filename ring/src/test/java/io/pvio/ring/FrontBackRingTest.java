package io.pvio.ring;

import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Single-threaded behaviour of the two ring views over one shared ring. */
class FrontBackRingTest
{
    /** A small entry type: requests carry a sequence number at +0, responses echo it at +0 and add a tag at +8. */
    private static final RingEntryLayout LAYOUT = RingEntryLayout.of("test", 16, 16, 8);
    private static final int SIZE = 128; // (4096 - 64) / 16 = 252 -> 128

    private final SharedMemory memory = SharedMemory.allocateOffHeap(4096);
    private final AtomicBuffer buffer = memory.buffer();
    private final SharedRing ring = SharedRing.ofPageOrder(buffer, 0, LAYOUT);

    @AfterEach
    void close()
    {
        memory.close();
    }

    @Test
    void initialiseWritesXensInitialHeader()
    {
        buffer.setMemory(0, 4096, (byte)0x5a);
        final FrontRing front = FrontRing.initialise(ring);
        assertEquals(0, buffer.getInt(SringDescriptor.REQ_PROD_OFFSET));
        assertEquals(1, buffer.getInt(SringDescriptor.REQ_EVENT_OFFSET));
        assertEquals(0, buffer.getInt(SringDescriptor.RSP_PROD_OFFSET));
        assertEquals(1, buffer.getInt(SringDescriptor.RSP_EVENT_OFFSET));
        for (int i = SringDescriptor.PVT_OFFSET; i < SringDescriptor.HEADER_LENGTH; i++)
        {
            assertEquals(0, buffer.getByte(i), "header byte " + i);
        }
        assertEquals(SIZE, front.size());
        assertEquals(SIZE, front.freeRequests());
    }

    @Test
    void prefetchingTheBatchTakesAndChangesNothing()
    {
        final FrontRing front = FrontRing.initialise(ring);
        final BackRing back = BackRing.attach(ring);
        // wrap around the end of the ring, so the batch's slots are not contiguous
        for (int round = 0; round < SIZE - 3; round++)
        {
            buffer.putLong(front.claimRequest(), round);
            front.pushRequests();
            back.pollRequests();
            back.takeRequest();
            back.claimResponse();
            back.pushResponses();
            front.pollResponses();
            front.takeResponse();
        }
        for (int i = 0; i < 6; i++)
        {
            buffer.putLong(front.claimRequest(), 1000 + i);
        }
        front.pushRequests();
        assertEquals(6, back.pollRequests());
        final int consumed = back.requestConsumerIndex();

        back.prefetchRequests(1_000); // more than polled
        back.prefetchRequests(0);

        assertEquals(consumed, back.requestConsumerIndex(), "prefetching takes nothing");
        for (int i = 0; i < 6; i++)
        {
            assertEquals(1000 + i, buffer.getLong(back.takeRequest()));
        }
        assertThrows(IllegalStateException.class, back::takeRequest);
    }

    @Test
    void requestsAndResponsesRoundTripThroughTheSharedSlots()
    {
        final FrontRing front = FrontRing.initialise(ring);
        final BackRing back = BackRing.attach(ring);
        for (int i = 0; i < 10; i++)
        {
            buffer.putLong(front.claimRequest(), 1000 + i);
        }
        assertEquals(0, back.pollRequests(), "nothing is visible before the push");
        front.pushRequests();
        assertEquals(10, back.pollRequests());
        for (int i = 0; i < 10; i++)
        {
            final long sequence = buffer.getLong(back.takeRequest());
            final int responseOffset = back.claimResponse();
            buffer.putLong(responseOffset, sequence);
            buffer.putLong(responseOffset + 8, -sequence);
        }
        back.pushResponses();
        assertEquals(10, front.pollResponses());
        for (int i = 0; i < 10; i++)
        {
            final int offset = front.takeResponse();
            assertEquals(1000 + i, buffer.getLong(offset));
            assertEquals(-(1000 + i), buffer.getLong(offset + 8));
        }
        assertEquals(SIZE, front.freeRequests());
        assertEquals(0, front.requestsInFlight());
    }

    @Test
    void fullRingRefusesAnotherClaimUntilAResponseIsConsumed()
    {
        final FrontRing front = FrontRing.initialise(ring);
        final BackRing back = BackRing.attach(ring);
        for (int i = 0; i < SIZE; i++)
        {
            front.claimRequest();
        }
        assertTrue(front.isFull());
        assertThrows(IllegalStateException.class, front::claimRequest);
        front.pushRequests();
        assertEquals(SIZE, back.pollRequests());
        back.takeRequest();
        back.claimResponse();
        back.pushResponses();
        assertTrue(front.isFull(), "a response not yet consumed still holds its slot");
        assertEquals(1, front.pollResponses());
        front.takeResponse();
        assertEquals(1, front.freeRequests());
        front.claimRequest();
    }

    @Test
    void viewsRefuseToReadPastWhatWasPolledOrAnswerWhatWasNotTaken()
    {
        final FrontRing front = FrontRing.initialise(ring);
        final BackRing back = BackRing.attach(ring);
        assertThrows(IllegalStateException.class, back::takeRequest);
        assertThrows(IllegalStateException.class, back::claimResponse);
        assertThrows(IllegalStateException.class, front::takeResponse);
        front.claimRequest();
        front.pushRequests();
        assertThrows(IllegalStateException.class, back::takeRequest, "published but not yet polled");
        back.pollRequests();
        back.takeRequest();
        back.claimResponse();
        assertThrows(IllegalStateException.class, back::claimResponse, "one request, one response");
    }

    @Test
    void frontEndNotifiesOnlyWhenTheBackEndAskedForIt()
    {
        final FrontRing front = FrontRing.initialise(ring);
        final BackRing back = BackRing.attach(ring);

        // req_event starts at 1: the first request notifies, the next ones do not until the back end re-arms.
        front.claimRequest();
        assertTrue(front.pushRequestsAndCheckNotify());
        front.claimRequest();
        front.claimRequest();
        assertFalse(front.pushRequestsAndCheckNotify());

        assertTrue(back.finalCheckForRequests(), "work is pending, so no re-arm");
        assertEquals(3, back.pollRequests());
        for (int i = 0; i < 3; i++)
        {
            back.takeRequest();
        }
        assertFalse(back.finalCheckForRequests(), "idle: req_event is now req_cons + 1");
        assertEquals(4, buffer.getInt(SringDescriptor.REQ_EVENT_OFFSET));

        for (int i = 0; i < 5; i++)
        {
            front.claimRequest();
        }
        assertTrue(front.pushRequestsAndCheckNotify(), "a batch crossing req_event notifies once");
        front.claimRequest();
        assertFalse(front.pushRequestsAndCheckNotify());
        front.pushRequests();
        assertFalse(front.pushRequestsAndCheckNotify(), "an empty push never notifies");
    }

    @Test
    void backEndNotifiesOnlyWhenTheFrontEndAskedForIt()
    {
        final FrontRing front = FrontRing.initialise(ring);
        final BackRing back = BackRing.attach(ring);
        for (int i = 0; i < 4; i++)
        {
            front.claimRequest();
        }
        front.pushRequests();
        back.pollRequests();
        for (int i = 0; i < 4; i++)
        {
            back.takeRequest();
        }
        back.claimResponse();
        assertTrue(back.pushResponsesAndCheckNotify(), "rsp_event starts at 1");
        back.claimResponse();
        assertFalse(back.pushResponsesAndCheckNotify());

        assertEquals(2, front.pollResponses());
        front.takeResponse();
        front.takeResponse();
        assertFalse(front.finalCheckForResponses());
        back.claimResponse();
        back.claimResponse();
        assertTrue(back.pushResponsesAndCheckNotify());
    }

    @Test
    void aModeratedFinalCheckAsksForAnEventSeveralResponsesAheadButNeverBeyondWhatIsInFlight()
    {
        final FrontRing front = FrontRing.initialise(ring);
        final BackRing back = BackRing.attach(ring);
        for (int i = 0; i < 8; i++)
        {
            front.claimRequest();
        }
        front.pushRequests();
        back.pollRequests();
        for (int i = 0; i < 8; i++)
        {
            back.takeRequest();
        }
        back.claimResponse();
        assertTrue(back.pushResponsesAndCheckNotify(), "rsp_event starts at 1");
        front.pollResponses();
        front.takeResponse();
        assertFalse(front.finalCheckForResponses(4), "7 in flight, nothing answered since");
        for (int i = 0; i < 3; i++)
        {
            back.claimResponse();
            assertFalse(back.pushResponsesAndCheckNotify(), "response " + (i + 2) + " is before rsp_event");
        }
        back.claimResponse();
        assertTrue(back.pushResponsesAndCheckNotify(), "the fourth response since the check passes rsp_event");

        front.pollResponses();
        for (int i = 0; i < 4; i++)
        {
            front.takeResponse();
        }
        assertFalse(front.finalCheckForResponses(100), "3 in flight: asks for the third at the latest");
        back.claimResponse();
        back.claimResponse();
        assertFalse(back.pushResponsesAndCheckNotify());
        back.claimResponse();
        assertTrue(back.pushResponsesAndCheckNotify(), "the last one in flight always brings the event");
    }

    @Test
    void publishedResponsesAreCoveredByTheNextNotificationDecision()
    {
        final FrontRing front = FrontRing.initialise(ring);
        final BackRing back = BackRing.attach(ring);
        for (int i = 0; i < 3; i++)
        {
            front.claimRequest();
        }
        front.pushRequests();
        back.pollRequests();
        for (int i = 0; i < 3; i++)
        {
            back.takeRequest();
        }
        back.claimResponse();
        back.publishResponses();
        assertEquals(1, front.pollResponses(), "published: the front end sees it at once");
        assertTrue(back.isNotifyLikelyRequired(), "rsp_event 1 is among the published responses");
        back.claimResponse();
        back.publishResponses();
        assertTrue(back.pushResponsesAndCheckNotify(), "the decision covers every response since the last one");
        back.claimResponse();
        back.publishResponses();
        assertFalse(back.isNotifyLikelyRequired(), "rsp_event was not moved since");
        assertFalse(back.pushResponsesAndCheckNotify());
    }

    @Test
    void theResponseEventReadWithTheRequestsJudgesLaterResponsesWithoutReadingAgain()
    {
        final FrontRing front = FrontRing.initialise(ring);
        final BackRing back = BackRing.attach(ring);
        for (int i = 0; i < 4; i++)
        {
            front.claimRequest();
        }
        // the front end asks for an event at the 3rd response, then publishes
        assertFalse(front.finalCheckForResponses(3));
        front.pushRequests();
        assertEquals(4, back.pollRequests());
        final int hint = back.responseEventHint();
        assertEquals(3, hint);
        for (int i = 0; i < 4; i++)
        {
            back.takeRequest();
        }
        // answers held, not yet claimed: whether the front end waits for one of the next n
        assertFalse(back.isNotifyLikelyRequired(hint, 2), "answers 1 and 2 held: not the one it waits for");
        assertTrue(back.isNotifyLikelyRequired(hint, 3), "answer 3 held: the one it waits for");
        back.claimResponse();
        back.claimResponse();
        back.publishResponses();
        assertFalse(back.isNotifyLikelyRequired(hint), "responses 1 and 2: not yet the one it waits for");
        assertTrue(back.isNotifyLikelyRequired(hint, 1), "answer 3, held after the two published");
        back.claimResponse();
        back.publishResponses();
        assertTrue(back.isNotifyLikelyRequired(hint), "response 3 is among those published");
        assertTrue(back.pushResponsesAndCheckNotify());
        back.claimResponse();
        back.publishResponses();
        assertFalse(back.isNotifyLikelyRequired(hint), "already decided: the 4th is not what it waited for");
    }

    @Test
    void finalCheckSeesWorkPublishedBeforeItReArmed()
    {
        final FrontRing front = FrontRing.initialise(ring);
        final BackRing back = BackRing.attach(ring);
        assertFalse(back.finalCheckForRequests());
        front.claimRequest();
        // The front end publishes without checking; the back end's next final check must still find it.
        front.pushRequests();
        assertTrue(back.finalCheckForRequests());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, -5, -SIZE, -SIZE - 3, Integer.MAX_VALUE - 2, Integer.MIN_VALUE})
    void indicesWrapPastTwoToTheThirtyTwo(final int startIndex)
    {
        final FrontRing front = FrontRing.initialiseAt(ring, startIndex);
        final BackRing back = BackRing.attach(ring, startIndex);
        long sent = 0;
        long received = 0;
        // Move 5 ring-fulls in uneven batches so every slot is reused across the wrap.
        while (received < 5L * SIZE)
        {
            final int batch = (int)(1 + (sent % 37));
            for (int i = 0; i < batch && !front.isFull(); i++)
            {
                buffer.putLong(front.claimRequest(), sent++);
            }
            front.pushRequestsAndCheckNotify();
            final int available = back.pollRequests();
            assertTrue(available >= 0 && available <= SIZE);
            for (int i = 0; i < available; i++)
            {
                final long value = buffer.getLong(back.takeRequest());
                buffer.putLong(back.claimResponse(), value);
            }
            back.pushResponsesAndCheckNotify();
            for (int n = front.pollResponses(); n > 0; n--)
            {
                assertEquals(received++, buffer.getLong(front.takeResponse()));
            }
        }
        assertEquals(startIndex + (int)sent, front.requestProducerIndex());
        assertEquals(front.requestProducerIndex(), back.requestConsumerIndex());
    }

    @Test
    void ringsSpanningSeveralPagesUseEverySlot()
    {
        try (SharedMemory big = SharedMemory.allocateOffHeap(16 * 4096))
        {
            final SharedRing ring16 = SharedRing.ofPageOrder(big.buffer(), 4, LAYOUT);
            assertEquals(2048, ring16.size()); // (65536 - 64) / 16 = 4092 -> 2048
            final FrontRing front = FrontRing.initialise(ring16);
            final BackRing back = BackRing.attach(ring16);
            int lastOffset = -1;
            for (int i = 0; i < ring16.size(); i++)
            {
                lastOffset = front.claimRequest();
                big.buffer().putLong(lastOffset, i);
            }
            assertEquals(64 + 2047 * 16, lastOffset);
            front.pushRequests();
            assertEquals(2048, back.pollRequests());
            for (int i = 0; i < ring16.size(); i++)
            {
                assertEquals(i, big.buffer().getLong(back.takeRequest()));
            }
        }
    }
}
