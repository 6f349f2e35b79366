package io.pvio.ring.blkif;

/**
 * Layout of {@code struct blkif_request_indirect} in the x86_32 ABI: as {@link BlkifIndirectRequestDescriptor} with
 * 4-byte aligned u64 members, and the explicit u64 {@code pad} blkif.h adds on i386 to keep it 64 bytes.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | operation u8  |indirect_op u8 |      nr_segments (u16)        |   0
 *  +---------------+---------------+-------------------------------+
 *  |                        id (u64)                           ... |   4
 *  +---------------------------------------------------------------+
 *  |                        sector_number (u64)                ... |  12
 *  +-------------------------------+-------------------------------+
 *  |      handle (u16)             |     (padding, 2 bytes)        |  20
 *  +-------------------------------+-------------------------------+
 *  |        indirect_grefs[0..7] (u32 each)                    ... |  24
 *  +---------------------------------------------------------------+
 *  |                        pad (u64)                          ... |  56
 *  +---------------------------------------------------------------+
 *                                                                    64
 * </pre>
 *
 * <ul>
 *   <li>Field meanings and limits as in {@link BlkifIndirectRequestDescriptor}.</li>
 * </ul>
 */
public final class BlkifX86_32IndirectRequestDescriptor
{
    public static final int OPERATION_OFFSET = 0;
    public static final int INDIRECT_OP_OFFSET = 1;
    public static final int NR_SEGMENTS_OFFSET = 2;
    public static final int ID_OFFSET = 4;
    public static final int SECTOR_NUMBER_OFFSET = 12;
    public static final int HANDLE_OFFSET = 20;
    public static final int INDIRECT_GREFS_OFFSET = 24;
    public static final int GREF_LENGTH = 4;
    /** blkif.h's i386-only {@code uint64_t pad}. */
    public static final int PAD_OFFSET = 56;
    /** {@code sizeof(struct blkif_request_indirect)} on i386. */
    public static final int LENGTH = 64;

    private BlkifX86_32IndirectRequestDescriptor()
    {
    }

    /** Offset of {@code indirect_grefs[index]} relative to the start of the request. */
    public static int indirectGrefOffset(final int index)
    {
        return INDIRECT_GREFS_OFFSET + index * GREF_LENGTH;
    }
}
