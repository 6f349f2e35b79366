package io.pvio.backend.block;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What a block back end serves: a disk of {@link #sectorCount()} 512-byte sectors. Offsets and lengths are in bytes
 * and always whole sectors inside the disk: the back end validates every request before it reaches storage.
 * <p>
 * Buffers passed in are the caller's private memory (never shared with a guest); each call uses the bytes
 * {@code [0, lengthBytes)} of the buffer and may overwrite its position and limit. Implementations are safe for use by
 * one thread at a time per buffer; {@link FileImageStorage} and {@link MemoryStorage} may be shared between rings.
 */
public interface BlockStorage extends AutoCloseable
{
    /** The storage's sector size: blkif's sector fields count 512-byte units. */
    int SECTOR_SIZE_BYTES = 512;

    /** The disk size in 512-byte sectors. */
    long sectorCount();

    /** Whether writes are impossible (a read-only image): the back end then serves it as {@code mode=r}. */
    default boolean isReadOnly()
    {
        return false;
    }

    /** Reads {@code lengthBytes} at {@code offsetBytes} into {@code [0, lengthBytes)} of {@code buffer}. */
    void read(long offsetBytes, ByteBuffer buffer, int lengthBytes) throws IOException;

    /** Writes {@code [0, lengthBytes)} of {@code buffer} at {@code offsetBytes}. */
    void write(long offsetBytes, ByteBuffer buffer, int lengthBytes) throws IOException;

    /** Makes every completed write durable (the image file's data is forced to the device). */
    void flush() throws IOException;

    /** The range is no longer in use; afterwards it reads as zeros. */
    void discard(long offsetBytes, long lengthBytes) throws IOException;

    @Override
    void close() throws IOException;
}
