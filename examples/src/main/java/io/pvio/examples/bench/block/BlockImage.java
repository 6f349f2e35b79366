package io.pvio.examples.bench.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The image both paths run on: a temporary file (deleted on {@link #close}) or one the user named (kept). Every byte
 * is written before the first workload ({@link DataPattern} bytes, a different stream per MiB) and forced to disk, so
 * reads hit real data rather than sparse holes, the page cache holds the whole image for both paths, and no
 * write-back of the pre-fill runs during the measurements.
 */
final class BlockImage implements AutoCloseable
{
    private static final int CHUNK_BYTES = 1 << 20;
    /** Pre-fill streams start here, apart from the slots' write patterns (0, 1, 2 ...). */
    static final long PREFILL_STREAM = 1L << 40;

    private final Path path;
    private final boolean temporary;

    private BlockImage(final Path path, final boolean temporary)
    {
        this.path = path;
        this.temporary = temporary;
    }

    /**
     * Creates and pre-fills the image.
     *
     * @param file      the file to use, or {@code null} for a temporary one.
     * @param overwrite whether {@code file} may exist already (its contents are replaced).
     * @throws IllegalArgumentException if {@code file} exists and {@code overwrite} is false.
     */
    static BlockImage prepare(final Path file, final boolean overwrite, final long sizeBytes) throws IOException
    {
        final BlockImage image;
        if (file == null)
        {
            image = new BlockImage(Files.createTempFile("pvio-bench-block-", ".img"), true);
            image.path.toFile().deleteOnExit(); // should the run die before close
        }
        else
        {
            if (Files.exists(file) && !overwrite)
            {
                throw new IllegalArgumentException("--file " + file + " exists: every byte of it would be " +
                    "overwritten; pass --overwrite to allow that, or name a new file");
            }
            image = new BlockImage(file, false);
        }
        try
        {
            image.fill(sizeBytes);
            return image;
        }
        catch (final IOException | RuntimeException ex)
        {
            image.close();
            throw ex;
        }
    }

    Path path()
    {
        return path;
    }

    boolean isTemporary()
    {
        return temporary;
    }

    private void fill(final long sizeBytes) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            channel.truncate(sizeBytes);
            final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES);
            for (long offset = 0; offset < sizeBytes; offset += CHUNK_BYTES)
            {
                chunk.clear();
                chunk.put(DataPattern.bytes(PREFILL_STREAM + offset / CHUNK_BYTES, CHUNK_BYTES)).flip();
                long position = offset;
                while (chunk.hasRemaining())
                {
                    position += channel.write(chunk, position);
                }
            }
            channel.force(false);
        }
    }

    @Override
    public void close() throws IOException
    {
        if (temporary)
        {
            Files.deleteIfExists(path);
        }
    }
}
