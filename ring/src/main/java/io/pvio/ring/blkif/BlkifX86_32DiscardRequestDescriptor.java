package io.pvio.ring.blkif;

/**
 * Layout of {@code struct blkif_request_discard} in the x86_32 ABI: as {@link BlkifDiscardRequestDescriptor} with
 * 4-byte aligned u64 members.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | operation u8  |  flag u8      |      handle (u16)             |   0
 *  +---------------+---------------+-------------------------------+
 *  |                        id (u64)                           ... |   4
 *  +---------------------------------------------------------------+
 *  |                        sector_number (u64)                ... |  12
 *  +---------------------------------------------------------------+
 *  |                        nr_sectors (u64)                   ... |  20
 *  +---------------------------------------------------------------+
 *                                                                    28
 * </pre>
 *
 * <ul>
 *   <li>Field meanings as in {@link BlkifDiscardRequestDescriptor}.</li>
 * </ul>
 */
public final class BlkifX86_32DiscardRequestDescriptor
{
    public static final int OPERATION_OFFSET = 0;
    public static final int FLAG_OFFSET = 1;
    public static final int HANDLE_OFFSET = 2;
    public static final int ID_OFFSET = 4;
    public static final int SECTOR_NUMBER_OFFSET = 12;
    public static final int NR_SECTORS_OFFSET = 20;
    /** {@code sizeof(struct blkif_request_discard)} on i386. */
    public static final int LENGTH = 28;

    private BlkifX86_32DiscardRequestDescriptor()
    {
    }
}
