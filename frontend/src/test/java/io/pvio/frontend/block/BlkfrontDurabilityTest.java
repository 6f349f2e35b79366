package io.pvio.frontend.block;

import io.pvio.backend.block.FileImageStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** After a completed flush, what blkfront wrote is in the image file, read back without pvio. */
class BlkfrontDurabilityTest
{
    @TempDir
    Path dir;

    private static byte[] readOutsidePvio(final Path image, final long offset, final int length) throws IOException
    {
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ))
        {
            final ByteBuffer bytes = ByteBuffer.allocate(length);
            while (bytes.hasRemaining() && channel.read(bytes, offset + bytes.position()) >= 0)
            {
                // read until full
            }
            return bytes.array();
        }
    }

    @Test
    void flushedWritesAreInTheImageFile() throws IOException
    {
        final Path image = dir.resolve("guest-disk.img");
        try (FileImageStorage disk = FileImageStorage.create(image, 32L << 20); BlockRig rig = new BlockRig())
        {
            final BlkfrontDevice device = rig.attach("768", disk, null);
            final BlkfrontBlockingDevice blocking = new BlkfrontBlockingDevice(device, TimeUnit.SECONDS.toNanos(20));
            final long[] pages = rig.allocateGuestPages(11);
            final Random random = new Random(7);
            final long[] sectors = {0, 100, 4096, device.sectorCount() - 88};
            final byte[][] written = new byte[sectors.length][];
            for (int i = 0; i < sectors.length; i++)
            {
                final BlockBuffer buffer = new BlockBuffer(pages, 0, 11 * 4096);
                written[i] = new byte[buffer.lengthBytes()];
                random.nextBytes(written[i]);
                rig.fill(buffer, written[i]);
                blocking.write(sectors[i], buffer);
            }
            blocking.discard(4096 + 8, 8);
            Arrays.fill(written[2], 8 * 512, 16 * 512, (byte)0);
            blocking.flush();

            for (int i = 0; i < sectors.length; i++)
            {
                assertArrayEquals(written[i], readOutsidePvio(image, sectors[i] * 512, written[i].length),
                    "sector " + sectors[i]);
            }
            assertTrue(rig.errors.isEmpty(), rig.errors::toString);
        }
    }
}
