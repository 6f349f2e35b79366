package io.pvio.ring.blkif;

/**
 * Layout of {@code struct blkif_response} ({@code xen/io/blkif.h}) in the x86_64 ABI.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        id (u64)                               |   0
 *  +---------------+---------------+-------------------------------+
 *  | operation u8  | (padding)     |      status (s16)             |   8
 *  +---------------+---------------+-------------------------------+
 *  |                        (padding, 4 bytes)                     |  12
 *  +---------------------------------------------------------------+
 *                                                                    16
 * </pre>
 *
 * <ul>
 *   <li>id and operation are copied from the request (operation as received, {@code BLKIF_OP_INDIRECT} included).
 *   </li>
 *   <li>status: a {@code BLKIF_RSP_*}.</li>
 *   <li>Bytes 9 and 12..15 are padding and are written as zero: leaving them stale leaked back end memory to
 *       guests (CVE-2017-10911). Bytes 8..15 are written together as one little-endian u64,
 *       {@link #statusWord(int, int)}.</li>
 * </ul>
 */
public final class BlkifResponseDescriptor
{
    public static final int ID_OFFSET = 0;
    public static final int OPERATION_OFFSET = 8;
    public static final int STATUS_OFFSET = 10;
    /** Bytes 8..15: operation, padding, status, padding. */
    public static final int STATUS_WORD_OFFSET = 8;
    /** {@code sizeof(struct blkif_response)}. */
    public static final int LENGTH = 16;

    private BlkifResponseDescriptor()
    {
    }

    /** Bytes 8..15 as one little-endian u64: operation at byte 8, status at bytes 10..11, zero padding. */
    public static long statusWord(final int operation, final int status)
    {
        return (operation & 0xFFL) | ((status & 0xFFFFL) << 16);
    }
}
