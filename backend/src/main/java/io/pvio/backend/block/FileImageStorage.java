package io.pvio.backend.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A raw disk image file: sector {@code n} is at byte {@code 512 n}. I/O is positional ({@link FileChannel#read(
 * ByteBuffer, long)}), so several rings may share one image; {@link #flush()} forces the file's data to the device.
 * The disk size comes from the file (rounded down to whole sectors); {@link #create} makes a sparse file of a given
 * size.
 * <pre>{@code
 * try (FileImageStorage disk = FileImageStorage.create(path, 64L << 20)) { ... }
 * }</pre>
 */
public final class FileImageStorage implements BlockStorage
{
    private static final int ZERO_CHUNK_BYTES = 64 * 1024;

    private final FileChannel channel;
    private final long sectorCount;
    private final boolean readOnly;
    private final ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK_BYTES);

    private FileImageStorage(final FileChannel channel, final boolean readOnly) throws IOException
    {
        this.channel = channel;
        this.readOnly = readOnly;
        this.sectorCount = channel.size() / SECTOR_SIZE_BYTES;
        if (sectorCount == 0)
        {
            channel.close();
            throw new IOException("image smaller than one sector");
        }
    }

    /**
     * Creates a new sparse image of {@code sizeBytes} (a positive multiple of 512); fails if the file exists.
     */
    public static FileImageStorage create(final Path path, final long sizeBytes) throws IOException
    {
        if (sizeBytes <= 0 || sizeBytes % SECTOR_SIZE_BYTES != 0)
        {
            throw new IllegalArgumentException("image size must be a positive multiple of 512: " + sizeBytes);
        }
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.SPARSE,
            StandardOpenOption.READ, StandardOpenOption.WRITE);
        try
        {
            // one byte at the end sets the length and allocates (at most) the last block
            channel.write(ByteBuffer.allocate(1), sizeBytes - 1);
            return new FileImageStorage(channel, false);
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /** Opens an existing image; its size is the file's. */
    public static FileImageStorage open(final Path path, final boolean readOnly) throws IOException
    {
        final FileChannel channel = readOnly ?
            FileChannel.open(path, StandardOpenOption.READ) :
            FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new FileImageStorage(channel, readOnly);
    }

    /** Whether the file was opened read-only (the back end then serves it as {@code mode=r}). */
    @Override
    public boolean isReadOnly()
    {
        return readOnly;
    }

    @Override
    public long sectorCount()
    {
        return sectorCount;
    }

    @Override
    public void read(final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes,
        final int lengthBytes) throws IOException
    {
        final ByteBuffer view = window(buffer, bufferOffsetBytes, lengthBytes);
        long position = offsetBytes;
        while (view.hasRemaining())
        {
            final int n = channel.read(view, position);
            if (n < 0)
            {
                // past the end of a file that shrank under us: the rest reads as zeros
                while (view.hasRemaining())
                {
                    view.put((byte)0);
                }
                return;
            }
            position += n;
        }
    }

    @Override
    public void write(final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes,
        final int lengthBytes) throws IOException
    {
        // each byte goes to the file once, straight from the buffer (a direct buffer: no copy in between)
        final ByteBuffer view = window(buffer, bufferOffsetBytes, lengthBytes);
        long position = offsetBytes;
        while (view.hasRemaining())
        {
            position += channel.write(view, position);
        }
    }

    /** {@code buffer} with position and limit around {@code [offsetBytes, offsetBytes + lengthBytes)}; no copy. */
    private static ByteBuffer window(final ByteBuffer buffer, final int offsetBytes, final int lengthBytes)
    {
        if (offsetBytes < 0 || lengthBytes < 0 || offsetBytes > buffer.capacity() - lengthBytes)
        {
            throw new IndexOutOfBoundsException("bytes " + offsetBytes + "+" + lengthBytes + " outside a buffer of " +
                buffer.capacity());
        }
        return buffer.clear().position(offsetBytes).limit(offsetBytes + lengthBytes);
    }

    @Override
    public void flush() throws IOException
    {
        if (!readOnly)
        {
            channel.force(false);
        }
    }

    @Override
    public void discard(final long offsetBytes, final long lengthBytes) throws IOException
    {
        final ByteBuffer chunkOfZeros = zeros.duplicate(); // discards are rare; the shared zeros stay untouched
        long done = 0;
        while (done < lengthBytes)
        {
            final int chunk = (int)Math.min(ZERO_CHUNK_BYTES, lengthBytes - done);
            write(offsetBytes + done, chunkOfZeros, 0, chunk);
            done += chunk;
        }
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
