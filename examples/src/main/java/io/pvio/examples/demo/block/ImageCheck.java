package io.pvio.examples.demo.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the disk image as a file, past every driver and the hypervisor, and checks that the plan's sectors hold the
 * {@link SectorPattern}: what blkback wrote and flushed really is in the file.
 */
final class ImageCheck
{
    private static final int CHUNK_SECTORS = 2048;

    private ImageCheck()
    {
    }

    /** @return the first sector in {@code [0, sectorCount)} that differs, or -1 if all match. */
    static long firstMismatch(final Path image, final long sectorCount) throws IOException
    {
        final SectorPattern pattern = new SectorPattern();
        final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_SECTORS * SectorPattern.SECTOR_BYTES);
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ))
        {
            for (long first = 0; first < sectorCount; first += CHUNK_SECTORS)
            {
                final int sectors = (int)Math.min(CHUNK_SECTORS, sectorCount - first);
                chunk.clear().limit(sectors * SectorPattern.SECTOR_BYTES);
                long position = first * SectorPattern.SECTOR_BYTES;
                while (chunk.hasRemaining())
                {
                    final int n = channel.read(chunk, position);
                    if (n < 0)
                    {
                        return first + chunk.position() / SectorPattern.SECTOR_BYTES;
                    }
                    position += n;
                }
                final long mismatch = pattern.firstMismatch(chunk, first, sectors);
                if (mismatch >= 0)
                {
                    return mismatch;
                }
            }
        }
        return -1;
    }
}
