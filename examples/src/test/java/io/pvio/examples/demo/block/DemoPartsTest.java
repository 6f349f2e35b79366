package io.pvio.examples.demo.block;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The block demo's pieces that decide what is written and whether it came back. */
class DemoPartsTest
{
    @Test
    void thePlanCyclesThroughFourShapesBackToBack()
    {
        final DemoRequestPlan plan = new DemoRequestPlan(9);
        long next = 0;
        for (int i = 0; i < plan.count(); i++)
        {
            final DemoRequestPlan.Request request = plan.request(i);
            assertEquals(next, request.sector(), "request " + i + " follows the one before");
            next = request.sector() + request.sectorCount();
            assertEquals(i % 4 == 2, request.isIndirect(), "request " + i);
        }
        assertEquals(new DemoRequestPlan.Request(1, 64, 3, 1, 1024), plan.request(1));
        assertEquals(64, plan.request(2).pageCount());
        assertEquals(11, plan.request(3).pageCount());
        assertEquals(next, plan.totalSectors());
        assertEquals(2, plan.indirectCount());
        assertThrows(IndexOutOfBoundsException.class, () -> plan.request(9));
        assertThrows(IllegalArgumentException.class, () -> new DemoRequestPlan(0));
    }

    @Test
    void everySectorNamesItselfAndAnyChangeIsFound()
    {
        final byte[] sector = SectorPattern.sectorBytes(1234567);
        assertEquals(512, sector.length);
        final String text = new String(sector, StandardCharsets.US_ASCII);
        assertTrue(text.startsWith("pvio sector 1234567 line 0 "), text);
        assertTrue(text.contains("\npvio sector 1234567 line 15 "), text);
        assertEquals(16, text.chars().filter(c -> c == '\n').count());

        final SectorPattern pattern = new SectorPattern();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        pattern.fill(buffer, 512, 70, 3);
        assertEquals(-1, pattern.firstMismatch(buffer, 512, 70, 3));
        assertEquals(71, pattern.firstMismatch(buffer, 512, 71, 2), "sector 71 is not where 70 was written");
        buffer.putByte(512 + 512 + 300, (byte)'x');
        assertEquals(71, pattern.firstMismatch(buffer, 512, 70, 3));
    }

    @Test
    void theImageCheckFindsTheFirstSectorThatDiffers(@TempDir final Path dir) throws IOException
    {
        final Path image = dir.resolve("disk.img");
        final int sectors = 3000;
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            for (int sector = 0; sector < sectors; sector++)
            {
                channel.write(ByteBuffer.wrap(SectorPattern.sectorBytes(sector)));
            }
        }
        assertEquals(-1, ImageCheck.firstMismatch(image, sectors));
        assertEquals(sectors, ImageCheck.firstMismatch(image, sectors + 1), "a sector past the end of the file");
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(new byte[] {'!'}), 2500L * 512 + 511);
        }
        assertEquals(2500, ImageCheck.firstMismatch(image, sectors));
    }

    @Test
    void settingsRefuseWhatCannotWork(@TempDir final Path dir)
    {
        assertTrue(BlockDemoSettings.defaults().plan().totalBytes() < BlockDemoSettings.defaults().sizeBytes());
        final IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
            () -> new BlockDemoSettings(256, 20, null, 3, false, 60));
        assertTrue(tooSmall.getMessage().contains("use --size-mib 21 or more"), tooSmall.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BlockDemoSettings(1, 1, dir, 0, false, 60));
        assertFalse(new BlockDemoSettings(1, 1, dir.resolve("new.img"), 0, true, 1).image().toFile().exists());
    }
}
