package io.pvio.backend.block;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A {@link BlockStorage} that passes every call to another one: the base of wrappers that watch what reaches a disk
 * (count it, time it, record it) and override only the calls they watch. It adds no state and no work of its own,
 * and is as thread-safe as the storage it wraps.
 */
public abstract class ForwardingBlockStorage implements BlockStorage
{
    private final BlockStorage storage;

    protected ForwardingBlockStorage(final BlockStorage storage)
    {
        this.storage = storage;
    }

    /** The storage every call goes to. */
    protected final BlockStorage storage()
    {
        return storage;
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
        storage.read(offsetBytes, buffer, bufferOffsetBytes, lengthBytes);
    }

    @Override
    public void write(final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes,
        final int lengthBytes) throws IOException
    {
        storage.write(offsetBytes, buffer, bufferOffsetBytes, lengthBytes);
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
