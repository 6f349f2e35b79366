package io.pvio.ring.blkif;

/**
 * Layout of {@code struct blkif_response} in the x86_32 ABI: as {@link BlkifResponseDescriptor} but 12 bytes long,
 * the u64 id being only 4-byte aligned.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        id (u64)                           ... |   0
 *  +---------------+---------------+-------------------------------+
 *  | operation u8  | (padding)     |      status (s16)             |   8
 *  +---------------+---------------+-------------------------------+
 *                                                                    12
 * </pre>
 *
 * <ul>
 *   <li>Byte 9 is padding and is written as zero (CVE-2017-10911); bytes 8..11 are written together as one
 *       little-endian u32, {@link #statusWord(int, int)}.</li>
 * </ul>
 */
public final class BlkifX86_32ResponseDescriptor
{
    public static final int ID_OFFSET = 0;
    public static final int OPERATION_OFFSET = 8;
    public static final int STATUS_OFFSET = 10;
    /** Bytes 8..11: operation, padding, status. */
    public static final int STATUS_WORD_OFFSET = 8;
    /** {@code sizeof(struct blkif_response)} on i386. */
    public static final int LENGTH = 12;

    private BlkifX86_32ResponseDescriptor()
    {
    }

    /** Bytes 8..11 as one little-endian u32: operation at byte 8, status at bytes 10..11, zero padding. */
    public static int statusWord(final int operation, final int status)
    {
        return (operation & 0xFF) | ((status & 0xFFFF) << 16);
    }
}
