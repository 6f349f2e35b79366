package io.pvio.examples.bench.block;

import org.agrona.BufferUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The "native" path: the same requests done directly with positional {@link FileChannel} I/O on the same image, in
 * the same JVM, with the back end's concurrency. A run of queue depth N keeps N request slots (each with its own
 * direct buffer of the request size) in one shared queue; T I/O threads (T = the number of blkif rings, that is
 * blkback's I/O threads) each loop: take a slot, do its read or write synchronously ({@code read(buf, pos)} /
 * {@code write(buf, pos)} until done), count it, and put the slot back with the next offset. So N requests are in
 * flight (queued or being performed) and at most T are being performed at once, exactly as on the PV side, where
 * blkfront keeps N in the rings and each ring's agent performs one at a time. An idle I/O thread spins, yields,
 * then parks for 1 us doubling up to 1 ms (Agrona's {@link BackoffIdleStrategy}), so handing a slot over costs no
 * system call.
 */
final class NativeBlockPath implements AutoCloseable
{
    /** The native buffers are page-aligned, as the guest's pages blkback reads and writes in place are. */
    private static final int PAGE_BYTES = 4096;

    private static final long IDLE_MIN_PARK_NS = 1_000;
    private static final long IDLE_MAX_PARK_NS = 1_000_000;

    private final FileChannel channel;
    private final int threads;
    /** Times a sample of the I/O threads' {@code FileChannel} calls, as {@link PvBlockPath} does blkback's. */
    private final StorageCallSampler storageCalls = new StorageCallSampler();

    /** Opens {@code image} (read and write) for {@code threads} I/O threads. */
    NativeBlockPath(final Path image, final int threads) throws IOException
    {
        this.channel = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.threads = threads;
    }

    int threads()
    {
        return threads;
    }

    /** Starts {@code workload} with {@code queueDepth} slots; the writes carry {@link DataPattern} bytes per slot. */
    LoopRun start(final BlockWorkload workload, final int queueDepth, final RequestOffsets offsets)
    {
        final ClosedLoop loop = new ClosedLoop(offsets);
        final ManyToManyConcurrentArrayQueue<Slot> queue = new ManyToManyConcurrentArrayQueue<>(2 * queueDepth);
        for (int i = 0; i < queueDepth; i++)
        {
            final ByteBuffer buffer = BufferUtil.allocateDirectAligned(workload.requestBytes(), PAGE_BYTES);
            if (workload.isWrite())
            {
                buffer.put(DataPattern.bytes(i, workload.requestBytes())).clear();
            }
            final Slot slot = new Slot(buffer);
            slot.offsetBytes = loop.nextOffsetBytes();
            loop.slotStarted();
            putBack(queue, slot);
        }
        final Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(new Worker(loop, queue, workload.isWrite()),
                "native-io-" + workload.workloadName() + "-" + t);
            workers[t].setDaemon(true);
            workers[t].start();
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
                for (final Thread worker : workers)
                {
                    worker.join(Math.max(1, timeoutNs / 1_000_000));
                    if (worker.isAlive())
                    {
                        loop.fail(worker.getName() + " did not stop");
                    }
                }
            }
        };
    }

    /** The I/O threads' storage calls timed so far (a sample: {@link StorageCallSampler}). */
    StorageCallSampler.Reading storageCalls()
    {
        return storageCalls.read();
    }

    /** Reads {@code length} bytes at {@code offsetBytes} (integrity check). */
    byte[] read(final long offsetBytes, final int length) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(length);
        readFully(channel, buffer, offsetBytes);
        return buffer.array();
    }

    /** Writes {@code bytes} at {@code offsetBytes} (integrity check). */
    void write(final long offsetBytes, final byte[] bytes) throws IOException
    {
        writeFully(channel, ByteBuffer.wrap(bytes), offsetBytes);
    }

    /** Writes the image's dirty pages back to disk (between paths, outside any window). */
    void force() throws IOException
    {
        channel.force(false);
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }

    /**
     * Queues {@code slot}. Never more slots than half the capacity are queued, but the queue may briefly look full
     * while a consumer is between claiming a cell and freeing it, so try again until it goes in.
     */
    private static void putBack(final ManyToManyConcurrentArrayQueue<Slot> queue, final Slot slot)
    {
        while (!queue.offer(slot))
        {
            Thread.onSpinWait();
        }
    }

    private static void readFully(final FileChannel channel, final ByteBuffer buffer, final long offsetBytes)
        throws IOException
    {
        long position = offsetBytes;
        while (buffer.hasRemaining())
        {
            final int n = channel.read(buffer, position);
            if (n < 0)
            {
                throw new EOFException("read past the end of the image at " + position);
            }
            position += n;
        }
    }

    private static void writeFully(final FileChannel channel, final ByteBuffer buffer, final long offsetBytes)
        throws IOException
    {
        long position = offsetBytes;
        while (buffer.hasRemaining())
        {
            position += channel.write(buffer, position);
        }
    }

    /** One request slot: its buffer and the offset of its current request. Owned by whoever took it off the queue. */
    private static final class Slot
    {
        final ByteBuffer buffer;
        long offsetBytes;

        Slot(final ByteBuffer buffer)
        {
            this.buffer = buffer;
        }
    }

    /** One I/O thread: take a slot, perform it synchronously, put it back with the next offset. */
    private final class Worker implements Runnable
    {
        private final ClosedLoop loop;
        private final ManyToManyConcurrentArrayQueue<Slot> queue;
        private final boolean write;
        private final IdleStrategy idle = new BackoffIdleStrategy(100, 10, IDLE_MIN_PARK_NS, IDLE_MAX_PARK_NS);

        Worker(final ClosedLoop loop, final ManyToManyConcurrentArrayQueue<Slot> queue, final boolean write)
        {
            this.loop = loop;
            this.queue = queue;
            this.write = write;
        }

        @Override
        public void run()
        {
            while (true)
            {
                final Slot slot = queue.poll();
                if (slot == null)
                {
                    if (loop.isStopping())
                    {
                        return; // every slot this thread put back it takes again, so none is left behind
                    }
                    idle.idle();
                    continue;
                }
                idle.reset();
                if (!loop.isRunning())
                {
                    loop.slotRetired();
                    continue;
                }
                try
                {
                    slot.buffer.clear();
                    final long token = storageCalls.begin(slot.buffer.remaining());
                    if (write)
                    {
                        writeFully(channel, slot.buffer, slot.offsetBytes);
                    }
                    else
                    {
                        readFully(channel, slot.buffer, slot.offsetBytes);
                    }
                    storageCalls.end(token);
                }
                catch (final IOException | RuntimeException ex)
                {
                    loop.fail("native " + (write ? "write" : "read") + " at " + slot.offsetBytes + ": " + ex);
                    loop.slotRetired();
                    continue;
                }
                loop.completed();
                if (loop.isRunning())
                {
                    slot.offsetBytes = loop.nextOffsetBytes();
                    putBack(queue, slot);
                }
                else
                {
                    loop.slotRetired();
                }
            }
        }
    }
}
