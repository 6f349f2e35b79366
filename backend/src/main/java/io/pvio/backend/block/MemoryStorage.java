package io.pvio.backend.block;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A disk in heap memory, for tests and scratch devices: at most 2 GiB. Flush has nothing to do. Accesses to one
 * range are made atomic by the object's monitor so that a reader in another thread (a test) sees whole writes.
 */
public final class MemoryStorage implements BlockStorage
{
    private final byte[] bytes;

    /** A zeroed disk of {@code sectorCount} sectors. */
    public MemoryStorage(final long sectorCount)
    {
        if (sectorCount <= 0 || sectorCount * SECTOR_SIZE_BYTES > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException("memory disk size out of range: " + sectorCount + " sectors");
        }
        this.bytes = new byte[(int)(sectorCount * SECTOR_SIZE_BYTES)];
    }

    @Override
    public long sectorCount()
    {
        return bytes.length / SECTOR_SIZE_BYTES;
    }

    @Override
    public synchronized void read(
        final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes, final int lengthBytes)
    {
        // absolute bulk access is bounded by the limit: clear() so that only the capacity bounds the window
        buffer.clear().put(bufferOffsetBytes, bytes, checkRange(offsetBytes, lengthBytes), lengthBytes);
    }

    @Override
    public synchronized void write(
        final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes, final int lengthBytes)
    {
        // one bulk copy, each byte of a guest's page read once; bounded by the capacity, not the limit
        buffer.clear().get(bufferOffsetBytes, bytes, checkRange(offsetBytes, lengthBytes), lengthBytes);
    }

    @Override
    public void flush()
    {
        // nothing volatile to commit
    }

    @Override
    public synchronized void discard(final long offsetBytes, final long lengthBytes)
    {
        final int from = checkRange(offsetBytes, lengthBytes);
        Arrays.fill(bytes, from, from + (int)lengthBytes, (byte)0);
    }

    /** A copy of {@code lengthBytes} at {@code offsetBytes}, for tests. */
    public synchronized byte[] snapshot(final long offsetBytes, final int lengthBytes)
    {
        final int from = checkRange(offsetBytes, lengthBytes);
        return Arrays.copyOfRange(bytes, from, from + lengthBytes);
    }

    @Override
    public void close()
    {
        // heap memory: nothing to release
    }

    private int checkRange(final long offsetBytes, final long lengthBytes)
    {
        if (offsetBytes < 0 || lengthBytes < 0 || offsetBytes > bytes.length - lengthBytes)
        {
            throw new IndexOutOfBoundsException("range " + offsetBytes + "+" + lengthBytes + " outside a disk of " +
                bytes.length + " bytes");
        }
        return (int)offsetBytes;
    }
}
