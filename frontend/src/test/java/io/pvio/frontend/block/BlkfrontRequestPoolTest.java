package io.pvio.frontend.block;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_READ;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_WRITE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_ERROR;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reuse of request objects: each use completes exactly once, and a stale ticket never reaches a later use. */
class BlkfrontRequestPoolTest
{
    private final List<Throwable> errors = new ArrayList<>();
    private final BlkfrontRequestPool pool = new BlkfrontRequestPool(errors::add);

    @Test
    void aRequestTheAgentCompletedIsReusedResetAndLargeEnoughForItsNextBuffer()
    {
        final List<Integer> first = new ArrayList<>();
        final BlkfrontRequest request = pool.claim(BLKIF_OP_READ, 8, BlockBuffer.ofPages(1), 0, first::add);
        request.sequence = 5;
        request.grantCount = 1;
        request.persistentId = 3;
        pool.complete(request, BLKIF_RSP_OKAY);
        assertEquals(List.of(BLKIF_RSP_OKAY), first);

        final List<Integer> second = new ArrayList<>();
        final BlockBuffer twelvePages = BlockBuffer.ofPages(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        final BlkfrontRequest again = pool.claim(BLKIF_OP_WRITE, 16, twelvePages, 0, second::add);
        assertSame(request, again);
        assertEquals(BLKIF_OP_WRITE, again.operation);
        assertEquals(16, again.sector);
        assertSame(twelvePages, again.buffer);
        assertEquals(0, again.sequence);
        assertEquals(0, again.grantCount);
        assertEquals(-1, again.persistentId);
        assertEquals(-1, again.registeredGeneration);
        assertTrue(again.grantRefs.length >= 12);
        assertTrue(again.isIndirect());
        assertTrue(second.isEmpty());
    }

    @Test
    void aStaleTicketFromAnEarlierUseCompletesNothing()
    {
        final List<Integer> first = new ArrayList<>();
        final BlkfrontRequest request = pool.claim(BLKIF_OP_READ, 0, BlockBuffer.ofPages(1), 0, first::add);
        final long firstTicket = request.ticket();
        pool.complete(request, BLKIF_RSP_OKAY);

        final List<Integer> second = new ArrayList<>();
        final BlkfrontRequest again = pool.claim(BLKIF_OP_READ, 0, BlockBuffer.ofPages(1), 0, second::add);
        assertSame(request, again);
        // the first use's submitter, late: the device closed under it, it fails what it thinks is its request
        assertFalse(BlkfrontRequestPool.completeOnce(again, firstTicket, BLKIF_RSP_ERROR, errors::add));
        assertTrue(second.isEmpty());
        assertEquals(List.of(BLKIF_RSP_OKAY), first);

        pool.complete(again, BLKIF_RSP_OKAY);
        assertEquals(List.of(BLKIF_RSP_OKAY), second);
        assertTrue(errors.isEmpty());
    }

    @Test
    void aRequestItsSubmitterFailedFirstRunsOnceAndIsNeverReused()
    {
        final List<Integer> statuses = new ArrayList<>();
        final BlkfrontRequest request = pool.claim(BLKIF_OP_READ, 0, BlockBuffer.ofPages(1), 0, statuses::add);
        assertTrue(BlkfrontRequestPool.completeOnce(request, request.ticket(), BLKIF_RSP_ERROR, errors::add));
        // the agent's drain gets to it too: it must neither run it again nor recycle what the submitter may hold
        pool.complete(request, BLKIF_RSP_OKAY);
        assertEquals(List.of(BLKIF_RSP_ERROR), statuses);
        assertNotSame(request, pool.claim(BLKIF_OP_READ, 0, BlockBuffer.ofPages(1), 0, statuses::add));
    }

    @Test
    void aThrowingCallbackIsReportedAndTheRequestStillGoesBack()
    {
        final RuntimeException boom = new IllegalStateException("callback failed");
        final BlkfrontRequest request = pool.claim(BLKIF_OP_READ, 0, BlockBuffer.ofPages(1), 0, status ->
        {
            throw boom;
        });
        pool.complete(request, BLKIF_RSP_OKAY);
        assertEquals(List.of(boom), errors);
        assertSame(request, pool.claim(BLKIF_OP_READ, 0, BlockBuffer.ofPages(1), 0, status -> { }));
    }

    @Test
    void completingARequestAlreadyBackInThePoolIsRefusedAndItIsHandedOutOnce()
    {
        final List<Integer> statuses = new ArrayList<>();
        final BlkfrontRequest request = pool.claim(BLKIF_OP_READ, 0, BlockBuffer.ofPages(1), 0, statuses::add);
        pool.complete(request, BLKIF_RSP_OKAY);
        // a second completion of the same object (a bug elsewhere) must neither run anything nor offer it again
        pool.complete(request, BLKIF_RSP_ERROR);
        assertEquals(List.of(BLKIF_RSP_OKAY), statuses);
        assertEquals(1, errors.size(), errors::toString);
        assertSame(request, pool.claim(BLKIF_OP_READ, 0, BlockBuffer.ofPages(1), 0, statuses::add));
        assertNotSame(request, pool.claim(BLKIF_OP_READ, 0, BlockBuffer.ofPages(1), 0, statuses::add));
    }
}
