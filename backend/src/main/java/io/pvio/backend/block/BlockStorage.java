package io.pvio.backend.block;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What a block back end serves: a disk of {@link #sectorCount()} 512-byte sectors. Offsets and lengths are in bytes
 * and always whole sectors inside the disk: the back end validates every request before it reaches storage.
 * <p>
 * Each read or write uses the bytes {@code [bufferOffsetBytes, bufferOffsetBytes + lengthBytes)} of its buffer
 * (absolute: whatever its position and limit were) and may overwrite the buffer's position and limit. The buffer is
 * either the back end's private staging memory or <b>a guest's granted pages</b>, mapped by the back end and
 * reached directly (one copy per byte, as a real back end DMAs into a granted page): the guest may change those
 * bytes at any moment, during the call too. So storage must not rely on the contents staying put: read each byte of
 * a write once (no checksum-then-write, no compare-then-copy, no re-reading to retry part of it), and treat what
 * it reads into the buffer as visible to the guest at once. Implementations are safe for use by one thread at a
 * time per buffer; {@link FileImageStorage} and {@link MemoryStorage} may be shared between rings.
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

    /**
     * Reads {@code lengthBytes} at {@code offsetBytes} into {@code [bufferOffsetBytes, bufferOffsetBytes +
     * lengthBytes)} of {@code buffer} (which may be a guest's page: see the class comment).
     */
    void read(long offsetBytes, ByteBuffer buffer, int bufferOffsetBytes, int lengthBytes) throws IOException;

    /**
     * Writes {@code [bufferOffsetBytes, bufferOffsetBytes + lengthBytes)} of {@code buffer} at {@code offsetBytes},
     * reading each byte once (the buffer may be a guest's page that changes meanwhile: see the class comment).
     */
    void write(long offsetBytes, ByteBuffer buffer, int bufferOffsetBytes, int lengthBytes) throws IOException;

    /** Makes every completed write durable (the image file's data is forced to the device). */
    void flush() throws IOException;

    /** The range is no longer in use; afterwards it reads as zeros. */
    void discard(long offsetBytes, long lengthBytes) throws IOException;

    @Override
    void close() throws IOException;
}
