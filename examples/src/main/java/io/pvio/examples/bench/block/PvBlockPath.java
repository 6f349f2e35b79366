package io.pvio.examples.bench.block;

import io.pvio.backend.block.BlkbackFeatures;
import io.pvio.backend.block.BlkbackRing;
import io.pvio.backend.block.FileImageStorage;
import io.pvio.examples.block.BlockMachine;
import io.pvio.frontend.block.BlkfrontDevice;
import io.pvio.frontend.block.BlockBuffer;
import io.pvio.frontend.block.BlockCompletion;
import io.pvio.hypervisor.guest.EventIdleStrategy;
import io.pvio.hypervisor.hypercall.HypercallCounters;
import io.pvio.hypervisor.hypercall.HypercallOp;
import io.pvio.hypervisor.memory.GuestMemory;
import io.pvio.ring.blkif.BlkifConstants;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The PV path: a {@link BlockMachine} (dom0 running blkback over the image through {@link FileImageStorage}, a guest
 * running blkfront, both woken by event-channel interrupts) with one disk attached. A run of queue depth N keeps N
 * request slots, each naming its own guest pages; the benchmark thread issues all N, then each completion callback
 * (on blkfront's agent thread) issues that slot's next request, so exactly N are in flight from one submitter.
 * Writes are never followed by a flush.
 * <p>
 * With registered buffers (the default) each slot's buffer comes from {@link BlkfrontDevice#allocateBuffer}: granted
 * once, so blkfront copies nothing, and blkback, which keeps the grants mapped, reads and writes the image straight
 * into and out of them; with plain buffers they are ordinary guest pages, which blkfront copies through its
 * persistent pages.
 * <p>
 * blkback offers its defaults ({@link BlkbackFeatures#defaults()}: persistent grants among them), except
 * {@code feature-max-indirect-segments} 256 (a 1 MiB request is one indirect request) and as many queues as asked;
 * blkfront asks for as many, so blkback runs that many I/O threads.
 */
final class PvBlockPath implements AutoCloseable
{
    static final String DEVICE_ID = "51712";
    /** 1 MiB in one indirect request. */
    static final int MAX_INDIRECT_SEGMENTS = 256;
    private static final Duration ATTACH_TIMEOUT = Duration.ofSeconds(30);
    private static final long INTEGRITY_TIMEOUT_SECONDS = 30;

    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<EventIdleStrategy> idleStrategies = new CopyOnWriteArrayList<>();
    private final FileImageStorage storage;
    /** Times a sample of blkback's storage calls. */
    private final StorageCallSampler storageCalls = new StorageCallSampler();
    private final BlockMachine machine;
    private final BlkfrontDevice device;
    private final GuestMemory guestMemory;
    private final List<BlkbackRing> rings;
    /** Per slot of the largest queue depth: one page (4 KiB requests). */
    private final BlockBuffer[] smallSlotBuffers;
    /** Per slot of the sequential queue depth: 256 pages (1 MiB requests); also the integrity check's buffer. */
    private final BlockBuffer[] largeSlotBuffers;

    /**
     * @param awaitPollNs how long, spin included, a driver agent owed answers or expecting requests polls before
     *                    parking (blkfront with requests in flight, blkback after serving;
     *                    {@link EventIdleStrategy#DEFAULT_AWAIT_POLL_NS} by default).
     * @param idleSpinNs how long each driver agent spins before parking ({@link EventIdleStrategy}'s default is
     *                   {@link EventIdleStrategy#DEFAULT_SPIN_NS}).
     */
    PvBlockPath(
        final Path image, final int queues, final int smallQueueDepth, final int largeQueueDepth,
        final long idleSpinNs, final long awaitPollNs, final boolean registeredBuffers)
        throws IOException, TimeoutException, InterruptedException
    {
        final int largePages = MAX_INDIRECT_SEGMENTS;
        // the guest's ceiling: the slots' buffers, plus per ring blkfront's persistent pages (at most 512), one
        // indirect page per id and the ring itself (up to 16 pages), plus room for the rest
        final int guestPages = 1024 + smallQueueDepth + largeQueueDepth * largePages + queues * (512 + 32 + 16 + 40);
        storage = FileImageStorage.open(image, false);
        BlockMachine started = null;
        try
        {
            started = new BlockMachine(
                features(queues),
                queues,
                guestPages,
                () ->
                {
                    final EventIdleStrategy idle = new EventIdleStrategy(idleSpinNs, awaitPollNs);
                    idleStrategies.add(idle);
                    return idle;
                },
                errors::add);
            machine = started;
            device = machine.attach(DEVICE_ID, new SampledStorage(storage, storageCalls), ATTACH_TIMEOUT);
            rings = machine.blkback().rings(machine.device(DEVICE_ID));
            guestMemory = machine.guest().domain().guestMemory();
            smallSlotBuffers = new BlockBuffer[smallQueueDepth];
            for (int i = 0; i < smallQueueDepth; i++)
            {
                smallSlotBuffers[i] = registeredBuffers ? device.allocateBuffer(1) :
                    BlockBuffer.ofPages(machine.allocateGuestPages(1));
            }
            largeSlotBuffers = new BlockBuffer[largeQueueDepth];
            for (int i = 0; i < largeQueueDepth; i++)
            {
                largeSlotBuffers[i] = registeredBuffers ? device.allocateBuffer(largePages) :
                    BlockBuffer.ofPages(machine.allocateGuestPages(largePages));
            }
        }
        catch (final TimeoutException | InterruptedException | RuntimeException ex)
        {
            if (started != null)
            {
                started.close();
            }
            storage.close();
            throw ex;
        }
    }

    /** blkback's defaults, but 1 MiB requests (256 indirect segments) and {@code queues} queues. */
    static BlkbackFeatures features(final int queues)
    {
        final BlkbackFeatures defaults = BlkbackFeatures.defaults();
        return new BlkbackFeatures(defaults.flushCache(), defaults.barrier(), defaults.discard(),
            defaults.persistent(), MAX_INDIRECT_SEGMENTS, queues, defaults.maxRingPageOrder());
    }

    /** Rings connected: blkback's I/O threads. */
    int queues()
    {
        return rings.size();
    }

    /** Whatever a driver, bus or agent reported so far (a healthy run reports nothing). */
    List<Throwable> errors()
    {
        return errors;
    }

    /** Starts {@code workload} with {@code queueDepth} slots; the writes carry {@link DataPattern} bytes per slot. */
    LoopRun start(final BlockWorkload workload, final int queueDepth, final RequestOffsets offsets)
    {
        final BlockBuffer[] buffers = workload.requestPages() == 1 ? smallSlotBuffers : largeSlotBuffers;
        if (queueDepth > buffers.length || workload.requestPages() > buffers[0].pageCount())
        {
            throw new IllegalArgumentException(workload.workloadName() + " at queue depth " + queueDepth +
                " needs more guest buffers than were set up");
        }
        final ClosedLoop loop = new ClosedLoop(offsets);
        final Slot[] slots = new Slot[queueDepth];
        for (int i = 0; i < queueDepth; i++)
        {
            final BlockBuffer buffer = buffers[i].pageCount() == workload.requestPages() ? buffers[i] :
                BlockBuffer.ofPages(Arrays.copyOf(buffers[i].gfns(), workload.requestPages()));
            if (workload.isWrite())
            {
                fill(buffer, DataPattern.bytes(i, workload.requestBytes()));
            }
            slots[i] = new Slot(loop, buffer, workload.isWrite());
        }
        for (final Slot slot : slots)
        {
            loop.slotStarted();
            slot.offsetBytes = loop.nextOffsetBytes();
            slot.issue();
        }
        return new LoopRun()
        {
            @Override
            public ClosedLoop loop()
            {
                return loop;
            }

            @Override
            public void stop(final long timeoutNs) throws InterruptedException
            {
                loop.stop(timeoutNs);
            }
        };
    }

    /** blkback's storage calls timed so far (a sample: {@link StorageCallSampler}). */
    StorageCallSampler.Reading storageCalls()
    {
        return storageCalls.read();
    }

    /** Every counter the report uses, now. */
    PvCounters counters()
    {
        long requests = 0;
        long batches = 0;
        long notifications = 0;
        long direct = 0;
        long emptyNs = 0;
        for (final BlkbackRing ring : rings)
        {
            emptyNs += ring.counters().emptyRingNs();
            direct += ring.counters().directTransfers();
            requests += ring.counters().requests();
            batches += ring.counters().batches();
            notifications += ring.counters().notifications();
        }
        long parks = 0;
        for (final EventIdleStrategy idle : idleStrategies)
        {
            parks += idle.parks();
        }
        return new PvCounters(
            countsOf(machine.guest().domain().counters()),
            countsOf(machine.host().dom0().counters()),
            requests, batches, notifications, parks, direct, emptyNs);
    }

    /** Reads {@code length} (at most 1 MiB, whole pages) bytes at {@code offsetBytes} through blkfront. */
    byte[] read(final long offsetBytes, final int length) throws IOException, InterruptedException
    {
        final BlockBuffer buffer = integrityBuffer(length);
        await(device.read(offsetBytes / BlkifConstants.SECTOR_SIZE_BYTES, buffer), "read", offsetBytes);
        return bytesOf(buffer);
    }

    /** Writes {@code bytes} (at most 1 MiB, whole pages) at {@code offsetBytes} through blkfront. */
    void write(final long offsetBytes, final byte[] bytes) throws IOException, InterruptedException
    {
        final BlockBuffer buffer = integrityBuffer(bytes.length);
        fill(buffer, bytes);
        await(device.write(offsetBytes / BlkifConstants.SECTOR_SIZE_BYTES, buffer), "write", offsetBytes);
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            machine.close();
        }
        finally
        {
            storage.close();
        }
    }

    private BlockBuffer integrityBuffer(final int length)
    {
        if (length % BlockBuffer.PAGE_BYTES != 0 || length / BlockBuffer.PAGE_BYTES > MAX_INDIRECT_SEGMENTS)
        {
            throw new IllegalArgumentException("whole pages up to 1 MiB: " + length);
        }
        final long[] pages = (largeSlotBuffers.length > 0 ? largeSlotBuffers[0] : smallSlotBuffers[0]).gfns();
        return BlockBuffer.ofPages(Arrays.copyOf(pages, Math.min(pages.length, length / BlockBuffer.PAGE_BYTES)));
    }

    private static void await(final CompletableFuture<Void> future, final String what, final long offsetBytes)
        throws IOException, InterruptedException
    {
        try
        {
            future.get(INTEGRITY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new IOException("PV " + what + " at " + offsetBytes + " failed: " + ex, ex);
        }
    }

    private void fill(final BlockBuffer buffer, final byte[] bytes)
    {
        for (int page = 0; page < buffer.pageCount(); page++)
        {
            guestMemory.frame(buffer.gfn(page)).putBytes(0, bytes, page * BlockBuffer.PAGE_BYTES,
                Math.min(BlockBuffer.PAGE_BYTES, bytes.length - page * BlockBuffer.PAGE_BYTES));
        }
    }

    private byte[] bytesOf(final BlockBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.lengthBytes()];
        for (int page = 0; page < buffer.pageCount(); page++)
        {
            guestMemory.frame(buffer.gfn(page)).getBytes(0, bytes, page * BlockBuffer.PAGE_BYTES,
                BlockBuffer.PAGE_BYTES);
        }
        return bytes;
    }

    private static long[] countsOf(final HypercallCounters counters)
    {
        final HypercallOp[] ops = HypercallOp.values();
        final long[] counts = new long[ops.length];
        for (final HypercallOp op : ops)
        {
            counts[op.ordinal()] = counters.count(op);
        }
        return counts;
    }

    /**
     * One request slot: its guest pages and the offset of its current request. The completion issues the slot's
     * next request; it runs on blkfront's agent thread and never blocks.
     */
    private final class Slot implements BlockCompletion
    {
        private final ClosedLoop loop;
        private final BlockBuffer buffer;
        private final boolean write;
        long offsetBytes;

        Slot(final ClosedLoop loop, final BlockBuffer buffer, final boolean write)
        {
            this.loop = loop;
            this.buffer = buffer;
            this.write = write;
        }

        void issue()
        {
            final long sector = offsetBytes / BlkifConstants.SECTOR_SIZE_BYTES;
            if (write)
            {
                device.write(sector, buffer, this);
            }
            else
            {
                device.read(sector, buffer, this);
            }
        }

        @Override
        public void onComplete(final int status)
        {
            if (status != BlkifConstants.BLKIF_RSP_OKAY)
            {
                loop.fail("PV " + (write ? "write" : "read") + " at " + offsetBytes + " answered status " + status);
                loop.slotRetired();
                return;
            }
            loop.completed();
            if (!loop.isRunning())
            {
                loop.slotRetired();
                return;
            }
            offsetBytes = loop.nextOffsetBytes();
            try
            {
                issue();
            }
            catch (final RuntimeException ex)
            {
                loop.fail("PV submission failed: " + ex);
                loop.slotRetired();
            }
        }
    }
}
