package io.pvio.ring.blkif;

/**
 * Layout of {@code struct blkif_request_discard} ({@code xen/io/blkif.h}) in the x86_64 ABI: the form a slot takes
 * when operation = {@code BLKIF_OP_DISCARD}.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | operation u8  |  flag u8      |      handle (u16)             |   0
 *  +---------------+---------------+-------------------------------+
 *  |                        (padding, 4 bytes)                     |   4
 *  +---------------------------------------------------------------+
 *  |                        id (u64)                               |   8
 *  +---------------------------------------------------------------+
 *  |                        sector_number (u64)                    |  16
 *  +---------------------------------------------------------------+
 *  |                        nr_sectors (u64)                       |  24
 *  +---------------------------------------------------------------+
 *                                                                    32
 * </pre>
 *
 * <ul>
 *   <li>flag: {@code BLKIF_DISCARD_SECURE} or zero (ignored unless the back end advertised discard-secure).</li>
 *   <li>[sector_number, sector_number + nr_sectors) in 512-byte sectors is discarded.</li>
 * </ul>
 */
public final class BlkifDiscardRequestDescriptor
{
    public static final int OPERATION_OFFSET = 0;
    public static final int FLAG_OFFSET = 1;
    public static final int HANDLE_OFFSET = 2;
    public static final int ID_OFFSET = 8;
    public static final int SECTOR_NUMBER_OFFSET = 16;
    public static final int NR_SECTORS_OFFSET = 24;
    /** {@code sizeof(struct blkif_request_discard)}. */
    public static final int LENGTH = 32;

    private BlkifDiscardRequestDescriptor()
    {
    }
}
