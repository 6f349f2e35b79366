package io.pvio.examples.bench.block;

import io.pvio.backend.block.BlockStorage;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The PV path's storage as blkback sees it, with a sample of its reads and writes timed ({@link StorageCallSampler});
 * everything else passes straight through.
 */
final class SampledStorage implements BlockStorage
{
    private final BlockStorage storage;
    private final StorageCallSampler sampler;

    SampledStorage(final BlockStorage storage, final StorageCallSampler sampler)
    {
        this.storage = storage;
        this.sampler = sampler;
    }

    @Override
    public long sectorCount()
    {
        return storage.sectorCount();
    }

    @Override
    public boolean isReadOnly()
    {
        return storage.isReadOnly();
    }

    @Override
    public void read(final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes,
        final int lengthBytes) throws IOException
    {
        final long token = sampler.begin(lengthBytes);
        storage.read(offsetBytes, buffer, bufferOffsetBytes, lengthBytes);
        sampler.end(token);
    }

    @Override
    public void write(final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes,
        final int lengthBytes) throws IOException
    {
        final long token = sampler.begin(lengthBytes);
        storage.write(offsetBytes, buffer, bufferOffsetBytes, lengthBytes);
        sampler.end(token);
    }

    @Override
    public void flush() throws IOException
    {
        storage.flush();
    }

    @Override
    public void discard(final long offsetBytes, final long lengthBytes) throws IOException
    {
        storage.discard(offsetBytes, lengthBytes);
    }

    @Override
    public void close() throws IOException
    {
        storage.close();
    }
}
