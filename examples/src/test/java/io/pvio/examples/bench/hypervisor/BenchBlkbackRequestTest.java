package io.pvio.examples.bench.hypervisor;

import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives the blkback request benchmark's JMH state without JMH: 200 batches on each path, checking after each that
 * every one of the batch's pages holds the disk page its request named, and that blkback answered them all.
 */
class BenchBlkbackRequestTest
{
    private static final int BATCHES = 200;

    private final Set<Thread> threadsBefore = VcpuThreads.live();

    @AfterEach
    void noVcpuThreadStarted()
    {
        assertEquals(Set.of(), VcpuThreads.startedSince(threadsBefore), "the domU's vCPU is MANUAL");
    }

    @ParameterizedTest
    @EnumSource(BlkbackRequests.Path.class)
    void everyReadBringsTheDiskPageItNamed(final BlkbackRequests.Path path)
    {
        final BlkbackRequestBenchmark benchmark = new BlkbackRequestBenchmark();
        final BlkbackRequestBenchmark.Requests state = new BlkbackRequestBenchmark.Requests();
        state.path = path;
        // 256 pages: most batches of 32 random pages name some page twice, read into two of the domU's pages
        state.diskMib = 1;
        state.start();
        try
        {
            for (int batch = 0; batch < BATCHES; batch++)
            {
                assertEquals(BlkbackRequests.BATCH_REQUESTS, benchmark.read4k(state));
                for (int i = 0; i < BlkbackRequests.BATCH_REQUESTS; i++)
                {
                    final long diskPage = state.requests.pageOfRequest(batch * BlkbackRequests.BATCH_REQUESTS + i);
                    final AtomicBuffer page = state.requests.dataPage(i);
                    // a sample of each page: its first and last bytes and one in between that moves with the batch
                    for (final int offset : new int[] {0, 4095, (batch * 97 + i * 31) % 4096})
                    {
                        assertEquals(BlkbackRequests.diskByte(diskPage, offset), page.getByte(offset),
                            "batch " + batch + ", request " + i + " (disk page " + diskPage + "), byte " + offset);
                    }
                }
            }
            assertEquals(path == BlkbackRequests.Path.BLKBACK ? (long)BATCHES * BlkbackRequests.BATCH_REQUESTS : 0,
                state.requests.blkbackRequests());
        }
        finally
        {
            state.stop();
        }
    }

    @Test
    void theDiskSizeIsChecked()
    {
        assertThrows(IllegalArgumentException.class, () -> BlkbackRequests.start(BlkbackRequests.Path.DIRECT, 0));
        assertThrows(IllegalArgumentException.class, () -> BlkbackRequests.start(BlkbackRequests.Path.DIRECT,
            BlkbackRequests.MAX_DISK_MIB + 1));
    }

    @Test
    void aTrialWithAnErrorResponseFailsAtItsEnd()
    {
        final BlkbackRequests requests = BlkbackRequests.start(BlkbackRequests.Path.BLKBACK, 1);
        requests.readBatch();
        requests.breakNextBatch();
        requests.readBatch();
        final IllegalStateException failure = assertThrows(IllegalStateException.class, requests::close);
        assertTrue(failure.getMessage().startsWith(BlkbackRequests.BATCH_REQUESTS + " reads answered"),
            failure.getMessage());
    }

    @Test
    void aRingThatServedPollsOnUntilItParksAndAWokenIdleRingDoesNot()
    {
        try (BlkbackRequests requests = BlkbackRequests.start(BlkbackRequests.Path.BLKBACK, 1))
        {
            final io.pvio.backend.block.BlkbackRing ring = requests.ring();
            // nothing served yet: an idle period spins only the short spin
            assertFalse(ring.expectsRequests());
            assertEquals(0, ring.doWork());
            assertFalse(ring.expectsRequests());
            // a batch served: the front end refills as it completes, so the agent polls on (its awaitPollNs)
            assertEquals(BlkbackRequests.BATCH_REQUESTS, requests.readBatch());
            assertTrue(ring.expectsRequests());
            // an empty poll does not end it: only parking does
            assertEquals(0, ring.doWork());
            assertTrue(ring.expectsRequests());
            // the park guard armed req_event and found nothing: the agent parks, and after the wake-up, until a
            // batch comes, it expects nothing
            assertTrue(ring.armAndStillIdle());
            assertFalse(ring.expectsRequests());
            assertEquals(BlkbackRequests.BATCH_REQUESTS, requests.readBatch());
            assertTrue(ring.expectsRequests());
        }
    }
}
