package io.pvio.examples.demo.block;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The demo's recognisable disk content: every 512-byte sector holds 16 text lines of 32 bytes naming the sector
 * and the line, e.g. {@code "pvio sector 67 line 3          \n"}, so a misplaced, stale or torn sector shows in a
 * byte-for-byte comparison and a human can read an image with {@code head -c 1024 disk.img}.
 */
public final class SectorPattern
{
    public static final int SECTOR_BYTES = 512;
    public static final int LINE_BYTES = 32;
    public static final int LINES_PER_SECTOR = SECTOR_BYTES / LINE_BYTES;

    private final byte[] expected = new byte[SECTOR_BYTES];
    private long expectedSector = -1;

    /** The 512 bytes of {@code sector}. */
    public static byte[] sectorBytes(final long sector)
    {
        final byte[] bytes = new byte[SECTOR_BYTES];
        Arrays.fill(bytes, (byte)' ');
        final byte[] prefix = ("pvio sector " + sector + " line ").getBytes(StandardCharsets.US_ASCII);
        for (int line = 0; line < LINES_PER_SECTOR; line++)
        {
            final int offset = line * LINE_BYTES;
            System.arraycopy(prefix, 0, bytes, offset, prefix.length);
            int end = offset + prefix.length;
            if (line >= 10)
            {
                bytes[end++] = (byte)('0' + line / 10);
            }
            bytes[end] = (byte)('0' + line % 10);
            bytes[offset + LINE_BYTES - 1] = '\n';
        }
        return bytes;
    }

    /** Writes sectors {@code [firstSector, firstSector + sectorCount)} at {@code offset} of {@code buffer}. */
    public void fill(final MutableDirectBuffer buffer, final int offset, final long firstSector, final int sectorCount)
    {
        for (int i = 0; i < sectorCount; i++)
        {
            buffer.putBytes(offset + i * SECTOR_BYTES, expectedFor(firstSector + i));
        }
    }

    /**
     * Compares sectors {@code [firstSector, firstSector + sectorCount)} with {@code buffer} from {@code offset}.
     *
     * @return the first sector that differs, or -1 if all match.
     */
    public long firstMismatch(
        final DirectBuffer buffer, final int offset, final long firstSector, final int sectorCount)
    {
        for (int i = 0; i < sectorCount; i++)
        {
            final byte[] want = expectedFor(firstSector + i);
            final int base = offset + i * SECTOR_BYTES;
            for (int b = 0; b < SECTOR_BYTES; b++)
            {
                if (buffer.getByte(base + b) != want[b])
                {
                    return firstSector + i;
                }
            }
        }
        return -1;
    }

    /** As {@link #firstMismatch(DirectBuffer, int, long, int)} over {@code [0, sectorCount * 512)} of a ByteBuffer. */
    public long firstMismatch(final ByteBuffer buffer, final long firstSector, final int sectorCount)
    {
        for (int i = 0; i < sectorCount; i++)
        {
            final byte[] want = expectedFor(firstSector + i);
            final int base = i * SECTOR_BYTES;
            for (int b = 0; b < SECTOR_BYTES; b++)
            {
                if (buffer.get(base + b) != want[b])
                {
                    return firstSector + i;
                }
            }
        }
        return -1;
    }

    private byte[] expectedFor(final long sector)
    {
        if (sector != expectedSector)
        {
            // digits change per sector only: build the sector once and reuse it for all of its bytes
            System.arraycopy(sectorBytes(sector), 0, expected, 0, SECTOR_BYTES);
            expectedSector = sector;
        }
        return expected;
    }
}
