package io.pvio.examples.bench.block;

import io.pvio.backend.block.BlockStorage;
import io.pvio.backend.block.ForwardingBlockStorage;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The PV path's storage as blkback sees it, with a sample of its reads and writes timed ({@link StorageCallSampler});
 * everything else passes straight through.
 */
final class SampledStorage extends ForwardingBlockStorage
{
    private final StorageCallSampler sampler;

    SampledStorage(final BlockStorage storage, final StorageCallSampler sampler)
    {
        super(storage);
        this.sampler = sampler;
    }

    @Override
    public void read(final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes,
        final int lengthBytes) throws IOException
    {
        final long token = sampler.begin(lengthBytes);
        storage().read(offsetBytes, buffer, bufferOffsetBytes, lengthBytes);
        sampler.end(token);
    }

    @Override
    public void write(final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes,
        final int lengthBytes) throws IOException
    {
        final long token = sampler.begin(lengthBytes);
        storage().write(offsetBytes, buffer, bufferOffsetBytes, lengthBytes);
        sampler.end(token);
    }
}
