package io.pvio.backend.block;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The two storages behind blkback: the same contract, and the image file's layout checked from outside. */
class BlockStorageTest
{
    @TempDir
    Path dir;

    private static byte[] read(final BlockStorage storage, final long offset, final int length) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(length);
        storage.read(offset, buffer, 0, length);
        final byte[] bytes = new byte[length];
        buffer.get(0, bytes);
        return bytes;
    }

    private static void write(final BlockStorage storage, final long offset, final byte[] bytes) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
        buffer.put(0, bytes);
        storage.write(offset, buffer, 0, bytes.length);
    }

    private static void contract(final BlockStorage storage) throws IOException
    {
        final Random random = new Random(1);
        final byte[] data = new byte[3 * 512];
        random.nextBytes(data);
        write(storage, 5 * 512, data);
        assertArrayEquals(data, read(storage, 5 * 512, data.length));
        assertArrayEquals(new byte[512], read(storage, 4 * 512, 512), "neighbours untouched");
        assertArrayEquals(new byte[512], read(storage, 8 * 512, 512), "neighbours untouched");
        storage.flush();
        storage.discard(6 * 512, 512);
        assertArrayEquals(Arrays.copyOfRange(data, 0, 512), read(storage, 5 * 512, 512));
        assertArrayEquals(new byte[512], read(storage, 6 * 512, 512), "discarded reads as zeros");
        assertArrayEquals(Arrays.copyOfRange(data, 1024, 1536), read(storage, 7 * 512, 512));
        final long last = (storage.sectorCount() - 1) * 512;
        write(storage, last, Arrays.copyOf(data, 512));
        assertArrayEquals(Arrays.copyOf(data, 512), read(storage, last, 512));
        bufferOffsets(storage);
    }

    /**
     * Only {@code [bufferOffsetBytes, + lengthBytes)} of the buffer is used, whatever its position and limit: a
     * guest's page mapped by the back end, where a segment may start at any sector.
     */
    private static void bufferOffsets(final BlockStorage storage) throws IOException
    {
        final Random random = new Random(2);
        final byte[] page = new byte[4096];
        random.nextBytes(page);
        final ByteBuffer buffer = ByteBuffer.allocateDirect(4096).put(0, page);
        buffer.position(4000).limit(4010); // nothing to do with the window
        storage.write(20 * 512, buffer, 3 * 512, 2 * 512);
        assertArrayEquals(Arrays.copyOfRange(page, 3 * 512, 5 * 512), read(storage, 20 * 512, 2 * 512));
        assertArrayEquals(new byte[512], read(storage, 22 * 512, 512), "no more than lengthBytes written");

        final ByteBuffer target = ByteBuffer.allocateDirect(4096).put(0, page);
        target.position(100).limit(200);
        storage.read(20 * 512, target, 6 * 512, 2 * 512);
        final byte[] expected = page.clone();
        System.arraycopy(page, 3 * 512, expected, 6 * 512, 2 * 512);
        final byte[] actual = new byte[4096];
        target.get(0, actual);
        assertArrayEquals(expected, actual, "the window filled, every other byte of the buffer untouched");

        assertThrows(IndexOutOfBoundsException.class, () -> storage.read(0, target, 7 * 512, 2 * 512),
            "past the buffer's end");
        assertThrows(IndexOutOfBoundsException.class, () -> storage.write(0, target, -512, 512));
        assertArrayEquals(new byte[1024], read(storage, 0, 1024), "a refused call reaches no sector");
    }

    private static long allocatedBytes(final Path file) throws IOException
    {
        final Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        final String[] fields = new String(stat.getInputStream().readAllBytes()).trim().split(" ");
        return Long.parseLong(fields[0]) * Long.parseLong(fields[1]);
    }

    @Test
    void memoryStorage() throws IOException
    {
        final MemoryStorage storage = new MemoryStorage(64);
        assertEquals(64, storage.sectorCount());
        contract(storage);
        assertThrows(IndexOutOfBoundsException.class, () -> storage.read(64 * 512, ByteBuffer.allocate(512), 0, 512));
    }

    @Test
    void imageFileIsSparseSizedByTheFileAndReadableOutsidePvio() throws IOException
    {
        final Path image = dir.resolve("disk.img");
        final long size = 64L << 20;
        try (FileImageStorage storage = FileImageStorage.create(image, size))
        {
            assertEquals(size / 512, storage.sectorCount());
            contract(storage);
        }
        assertEquals(size, Files.size(image));
        assertTrue(allocatedBytes(image) < size / 4, "sparse: only what was written is allocated");
        // the raw layout: sector n at byte 512 n
        final byte[] raw = Files.readAllBytes(image);
        final Random random = new Random(1);
        final byte[] data = new byte[3 * 512];
        random.nextBytes(data);
        assertArrayEquals(Arrays.copyOf(data, 512), Arrays.copyOfRange(raw, 5 * 512, 6 * 512));

        try (FileImageStorage reopened = FileImageStorage.open(image, true))
        {
            assertTrue(reopened.isReadOnly());
            assertEquals(size / 512, reopened.sectorCount());
            assertArrayEquals(Arrays.copyOf(data, 512), read(reopened, 5 * 512, 512));
        }
        assertThrows(IOException.class, () -> FileImageStorage.create(image, size), "never overwrites");
    }
}
