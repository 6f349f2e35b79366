package io.pvio.ring.blkif;

/**
 * Layout of {@code struct blkif_request_indirect} ({@code xen/io/blkif.h}) in the x86_64 ABI: a read or write whose
 * segments lie in up to 8 granted indirect pages of 512 {@code blkif_request_segment} each.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | operation u8  |indirect_op u8 |      nr_segments (u16)        |   0
 *  +---------------+---------------+-------------------------------+
 *  |                        (padding, 4 bytes)                     |   4
 *  +---------------------------------------------------------------+
 *  |                        id (u64)                               |   8
 *  +---------------------------------------------------------------+
 *  |                        sector_number (u64)                    |  16
 *  +-------------------------------+-------------------------------+
 *  |      handle (u16)             |  indirect_grefs[0] (u32)  ... |  24 (grefs at 28)
 *  +-------------------------------+-------------------------------+
 *  |  ... indirect_grefs[1..7] (u32 each)                      ... |  32
 *  +---------------------------------------------------------------+
 *  |                        (padding, 4 bytes)                     |  60
 *  +---------------------------------------------------------------+
 *                                                                    64
 * </pre>
 *
 * <ul>
 *   <li>operation = {@code BLKIF_OP_INDIRECT}; indirect_op = {@code BLKIF_OP_READ} or {@code BLKIF_OP_WRITE}.</li>
 *   <li>nr_segments: 1 .. the back end's feature-max-indirect-segments (at most 8 x 512 = 4096).</li>
 *   <li>Only indirect_grefs[0 .. ceil(nr_segments / 512) - 1] are used.</li>
 * </ul>
 */
public final class BlkifIndirectRequestDescriptor
{
    public static final int OPERATION_OFFSET = 0;
    public static final int INDIRECT_OP_OFFSET = 1;
    public static final int NR_SEGMENTS_OFFSET = 2;
    public static final int ID_OFFSET = 8;
    public static final int SECTOR_NUMBER_OFFSET = 16;
    public static final int HANDLE_OFFSET = 24;
    public static final int INDIRECT_GREFS_OFFSET = 28;
    public static final int GREF_LENGTH = 4;
    /** {@code sizeof(struct blkif_request_indirect)}: 60 bytes of fields rounded up to the u64 alignment. */
    public static final int LENGTH = 64;

    private BlkifIndirectRequestDescriptor()
    {
    }

    /** Offset of {@code indirect_grefs[index]} relative to the start of the request. */
    public static int indirectGrefOffset(final int index)
    {
        return INDIRECT_GREFS_OFFSET + index * GREF_LENGTH;
    }

    /** Indirect pages holding {@code nrSegments} segments: ceil(nrSegments / 512). */
    public static int indirectPageCount(final int nrSegments)
    {
        return (nrSegments + BlkifSegmentDescriptor.SEGMENTS_PER_PAGE - 1) / BlkifSegmentDescriptor.SEGMENTS_PER_PAGE;
    }

    /** @throws IndexOutOfBoundsException unless {@code index} names one of the 8 indirect grefs. */
    public static void checkIndirectGrefIndex(final int index)
    {
        if (index < 0 || index >= BlkifConstants.BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST)
        {
            throw new IndexOutOfBoundsException("indirect gref index must be in 0.." +
                (BlkifConstants.BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST - 1) + ": " + index);
        }
    }
}
