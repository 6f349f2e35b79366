package io.pvio.frontend.block;

import io.pvio.backend.block.BlkbackFeatures;
import io.pvio.backend.block.MemoryStorage;
import io.pvio.ring.blkif.BlkifConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data path allocates nothing per request once warm: a closed loop of reads and writes on registered buffers
 * (each completion, on blkfront's agent, issues the slot's next request through the callback API) leaves the heap
 * of blkfront's agent thread and of blkback's ring thread as it was, request after request.
 */
class BlkfrontAllocationTest
{
    private static final BlkbackFeatures ONE_QUEUE = new BlkbackFeatures(true, true, true, true, 32, 1, 0);
    private static final String ID = "768";
    private static final int SLOTS = 16;
    private static final long WARM_UP_REQUESTS = 60_000;
    private static final long MEASURED_REQUESTS = 60_000;
    /** Well under one object per request: a request record alone is more than 50 bytes. */
    private static final double MAX_BYTES_PER_REQUEST = 4;

    private BlockRig rig;

    @AfterEach
    void tearDown()
    {
        if (rig != null)
        {
            rig.close();
        }
    }

    @Test
    void aClosedLoopOnRegisteredBuffersAllocatesNothingPerRequestOnEitherAgent() throws Exception
    {
        rig = new BlockRig(ONE_QUEUE, 1);
        final BlkfrontDevice device = rig.attach(ID, new MemoryStorage(8192), null);
        final BlockBuffer[] buffers = new BlockBuffer[SLOTS];
        for (int i = 0; i < SLOTS; i++)
        {
            buffers[i] = device.allocateBuffer(1);
        }
        final Thread front = thread("blkfront-d" + rig.guest.domid() + "-" + ID);
        final Thread back = thread("blkback-d" + rig.guest.domid() + "-" + ID + "-q0");

        run(device, buffers, WARM_UP_REQUESTS);
        final long frontBefore = allocatedBytes(front);
        final long backBefore = allocatedBytes(back);
        run(device, buffers, MEASURED_REQUESTS);
        final double frontPerRequest = (allocatedBytes(front) - frontBefore) / (double)MEASURED_REQUESTS;
        final double backPerRequest = (allocatedBytes(back) - backBefore) / (double)MEASURED_REQUESTS;

        final String measured = "bytes per request: blkfront's agent " + frontPerRequest + ", blkback's ring " +
            backPerRequest;
        assertTrue(frontPerRequest < MAX_BYTES_PER_REQUEST && backPerRequest < MAX_BYTES_PER_REQUEST, measured);
        assertTrue(rig.errors.isEmpty(), rig.errors::toString);
    }

    /** {@code requests} reads and writes, {@link #SLOTS} in flight, each slot reissued from its completion. */
    private static void run(final BlkfrontDevice device, final BlockBuffer[] buffers, final long requests)
        throws Exception
    {
        final AtomicLong issued = new AtomicLong();
        final AtomicLong completed = new AtomicLong();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        for (int i = 0; i < buffers.length; i++)
        {
            new Slot(device, buffers[i], i, requests, issued, completed, done).issue();
        }
        done.get(60, TimeUnit.SECONDS);
        assertEquals(requests, completed.get());
    }

    private static Thread thread(final String name)
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().equals(name))
            {
                return thread;
            }
        }
        throw new AssertionError("no thread " + name);
    }

    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19
    private static long allocatedBytes(final Thread thread)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long bytes = threads.getThreadAllocatedBytes(thread.getId());
        assertTrue(bytes >= 0, "allocation is measured on this JVM");
        return bytes;
    }

    /** One request slot: its buffer; its completion issues its next request, a read or a write in turn. */
    private static final class Slot implements BlockCompletion
    {
        private final BlkfrontDevice device;
        private final BlockBuffer buffer;
        private final long firstSector;
        private final long requests;
        private final AtomicLong issued;
        private final AtomicLong completed;
        private final CompletableFuture<Void> done;
        private boolean write;

        Slot(final BlkfrontDevice device, final BlockBuffer buffer, final int index, final long requests,
            final AtomicLong issued, final AtomicLong completed, final CompletableFuture<Void> done)
        {
            this.device = device;
            this.buffer = buffer;
            this.firstSector = (long)index * BlkifConstants.SECTORS_PER_PAGE;
            this.requests = requests;
            this.issued = issued;
            this.completed = completed;
            this.done = done;
        }

        void issue()
        {
            if (issued.incrementAndGet() > requests)
            {
                return;
            }
            write = !write;
            if (write)
            {
                device.write(firstSector, buffer, this);
            }
            else
            {
                device.read(firstSector, buffer, this);
            }
        }

        @Override
        public void onComplete(final int status)
        {
            if (status != BlkifConstants.BLKIF_RSP_OKAY)
            {
                done.completeExceptionally(new AssertionError("status " + status));
                return;
            }
            if (completed.incrementAndGet() == requests)
            {
                done.complete(null);
                return;
            }
            issue();
        }
    }
}
