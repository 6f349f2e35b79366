package io.pvio.examples.demo.block;

import io.pvio.backend.block.BlockStorage;
import io.pvio.backend.block.ForwardingBlockStorage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The disk as blkback sees it, counted: a {@link BlockStorage} that passes every call to the real one and counts
 * reads, writes, flushes and bytes, so the demo can say what reached the image. Any ring's thread may call it; any
 * thread may read the counts.
 */
final class CountingStorage extends ForwardingBlockStorage
{
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();

    CountingStorage(final BlockStorage storage)
    {
        super(storage);
    }

    long reads()
    {
        return reads.get();
    }

    long writes()
    {
        return writes.get();
    }

    long flushes()
    {
        return flushes.get();
    }

    long bytesRead()
    {
        return bytesRead.get();
    }

    long bytesWritten()
    {
        return bytesWritten.get();
    }

    @Override
    public void read(final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes,
        final int lengthBytes) throws IOException
    {
        storage().read(offsetBytes, buffer, bufferOffsetBytes, lengthBytes);
        bytesRead.addAndGet(lengthBytes);
        reads.incrementAndGet();
    }

    @Override
    public void write(final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes,
        final int lengthBytes) throws IOException
    {
        storage().write(offsetBytes, buffer, bufferOffsetBytes, lengthBytes);
        bytesWritten.addAndGet(lengthBytes);
        writes.incrementAndGet();
    }

    @Override
    public void flush() throws IOException
    {
        storage().flush();
        flushes.incrementAndGet();
    }
}
