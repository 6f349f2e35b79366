package io.pvio.ring;

import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A page-aligned region of memory that two sides of a ring can share: plain off-heap memory (both sides in this
 * JVM) or a memory-mapped file (another process, such as a C driver or a second JVM, maps the same file).
 * The region is zero-filled when created. {@link #close()} unmaps a file at once (the buffer must not be used afterwards); off-heap memory is freed
 * by the garbage collector once unreachable.
 */
public final class SharedMemory implements AutoCloseable
{
    private final ByteBuffer byteBuffer;
    private final AtomicBuffer buffer;
    private final Path path;
    private boolean closed;

    private SharedMemory(final ByteBuffer byteBuffer, final Path path)
    {
        this.byteBuffer = byteBuffer;
        this.buffer = new UnsafeBuffer(byteBuffer);
        this.path = path;
    }

    /** Zeroed, page-aligned off-heap memory of {@code lengthBytes} (a whole number of pages). */
    public static SharedMemory allocateOffHeap(final int lengthBytes)
    {
        checkLength(lengthBytes);
        return new SharedMemory(BufferUtil.allocateDirectAligned(lengthBytes, SringDescriptor.PAGE_SIZE_BYTES), null);
    }

    /**
     * Creates {@code file} (it must not exist yet) with {@code lengthBytes} of zeros and maps it read-write.
     */
    public static SharedMemory createFile(final Path file, final int lengthBytes)
    {
        checkLength(lengthBytes);
        try (FileChannel channel = FileChannel.open(
            file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            // Extending a new file reads back as zeros: the region starts zero-filled as promised.
            channel.write(ByteBuffer.wrap(new byte[1]), lengthBytes - 1L);
            return new SharedMemory(channel.map(FileChannel.MapMode.READ_WRITE, 0, lengthBytes), file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create shared memory file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** Maps an existing {@code file} read-write; its length must be a whole number of pages. */
    public static SharedMemory openFile(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long size = channel.size();
            if (size > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException(file + " is larger than 2 GiB: " + size + " bytes");
            }
            checkLength((int)size);
            return new SharedMemory(channel.map(FileChannel.MapMode.READ_WRITE, 0, size), file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot map shared memory file " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static void checkLength(final int lengthBytes)
    {
        if (lengthBytes <= 0 || lengthBytes % SringDescriptor.PAGE_SIZE_BYTES != 0)
        {
            throw new IllegalArgumentException(
                "shared memory must be a positive whole number of " + SringDescriptor.PAGE_SIZE_BYTES +
                "-byte pages: " + lengthBytes + " bytes");
        }
    }

    /** The whole region; offsets are absolute from its first byte. */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /**
     * The region as the one direct {@link ByteBuffer} behind {@link #buffer()}. Hypervisor use only (device buffers
     * over machine frames, which positional file I/O reads and writes without a copy): take views of it with
     * {@link ByteBuffer#slice(int, int)}, which leaves this buffer alone; never use its position or limit, which
     * other threads may share.
     */
    public ByteBuffer byteBuffer()
    {
        return byteBuffer;
    }

    public int lengthBytes()
    {
        return buffer.capacity();
    }

    /** The backing file, or {@code null} for off-heap memory. */
    public Path path()
    {
        return path;
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            // Every direct buffer is a MappedByteBuffer; only a file-backed one is ours to unmap.
            if (path != null)
            {
                IoUtil.unmap((MappedByteBuffer)byteBuffer);
            }
            // Aligned off-heap memory is a slice of a larger direct buffer; the garbage collector frees it.
        }
    }
}
