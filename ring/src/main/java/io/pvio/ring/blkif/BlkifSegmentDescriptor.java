package io.pvio.ring.blkif;

import io.pvio.ring.SringDescriptor;

/**
 * Layout of {@code struct blkif_request_segment} ({@code xen/io/blkif.h}), identical in the x86_64 and x86_32 ABIs:
 * one granted page and the sectors of it to transfer. Arrays of it sit inline in a read/write request and fill
 * indirect pages.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        gref (grant_ref_t, u32)                |  0
 *  +---------------+---------------+-------------------------------+
 *  | first_sect u8 | last_sect u8  |     (padding, u16)            |  4
 *  +---------------+---------------+-------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>first_sect &lt;= last_sect &lt;= 7: an inclusive range of 512-byte sectors within the 4 KiB page.</li>
 *   <li>The padding is written as zero.</li>
 *   <li>An indirect page holds 512 segments.</li>
 * </ul>
 */
public final class BlkifSegmentDescriptor
{
    public static final int GREF_OFFSET = 0;
    public static final int FIRST_SECT_OFFSET = 4;
    public static final int LAST_SECT_OFFSET = 5;
    public static final int PAD_OFFSET = 6;
    public static final int PAD_LENGTH = 2;
    /** {@code sizeof(struct blkif_request_segment)}. */
    public static final int LENGTH = 8;
    /** Segments in one indirect page. */
    public static final int SEGMENTS_PER_PAGE = SringDescriptor.PAGE_SIZE_BYTES / LENGTH;

    private BlkifSegmentDescriptor()
    {
    }

    /** Offset of segment {@code index} relative to the start of a segment array. */
    public static int segmentOffset(final int index)
    {
        return index * LENGTH;
    }

    /** blkif.h: first_sect &lt;= last_sect, both within the page (0..7). */
    /**
     * The whole segment as one little-endian u64, as it lies in memory: gref in bits 0..31, first_sect in 32..39,
     * last_sect in 40..47, zero padding in 48..63. One 8-byte access moves a segment, padding included, and reads it
     * from shared memory exactly once.
     */
    public static long packWord(final int gref, final int firstSector, final int lastSector)
    {
        return (gref & 0xFFFF_FFFFL) | ((long)(firstSector & 0xFF) << 32) | ((long)(lastSector & 0xFF) << 40);
    }

    /** gref (u32 as int) of a segment word from {@link #packWord}. */
    public static int grefOfWord(final long word)
    {
        return (int)word;
    }

    public static int firstSectorOfWord(final long word)
    {
        return (int)(word >>> 32) & 0xFF;
    }

    public static int lastSectorOfWord(final long word)
    {
        return (int)(word >>> 40) & 0xFF;
    }

    public static boolean isValidSectorRange(final int firstSector, final int lastSector)
    {
        return firstSector <= lastSector && lastSector < BlkifConstants.SECTORS_PER_PAGE && firstSector >= 0;
    }

    /** Sectors a valid segment covers. */
    public static int sectorCount(final int firstSector, final int lastSector)
    {
        return lastSector - firstSector + 1;
    }
}
