package io.pvio.ring.blkif;

/**
 * Layout of {@code struct blkif_request} in the x86_32 ABI ("x86_32-abi"): as {@link BlkifRequestDescriptor} but
 * with u64 members only 4-byte aligned (i386), so no padding after handle. Back ends serve it for 32-bit front
 * ends, as Linux blkback does with its packed(4) copies of the structures.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | operation u8  | nr_segments u8|      handle (u16)             |   0
 *  +---------------+---------------+-------------------------------+
 *  |                        id (u64)                           ... |   4
 *  +---------------------------------------------------------------+
 *  |                        sector_number (u64)                ... |  12
 *  +---------------------------------------------------------------+
 *  |        seg[0..10]  11 x blkif_request_segment (8 B each)     ...|  20
 *  +---------------------------------------------------------------+
 *                                                                    108
 * </pre>
 *
 * <ul>
 *   <li>Field meanings and limits as in {@link BlkifRequestDescriptor}.</li>
 *   <li>Slots are 108 bytes apart: the ring entry union is only 4-byte aligned.</li>
 * </ul>
 */
public final class BlkifX86_32RequestDescriptor
{
    public static final int OPERATION_OFFSET = 0;
    public static final int NR_SEGMENTS_OFFSET = 1;
    public static final int HANDLE_OFFSET = 2;
    public static final int ID_OFFSET = 4;
    public static final int SECTOR_NUMBER_OFFSET = 12;
    /** {@code offsetof(struct blkif_request, seg)} on i386. */
    public static final int SEGMENTS_OFFSET = 20;
    /** {@code sizeof(struct blkif_request)} on i386. */
    public static final int LENGTH = SEGMENTS_OFFSET +
        BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST * BlkifSegmentDescriptor.LENGTH;
    /** i386 aligns u64 members to 4 bytes. */
    public static final int ALIGNMENT = 4;

    private BlkifX86_32RequestDescriptor()
    {
    }

    /** Offset of {@code seg[index]} relative to the start of the request. */
    public static int segmentOffset(final int index)
    {
        return SEGMENTS_OFFSET + BlkifSegmentDescriptor.segmentOffset(index);
    }
}
