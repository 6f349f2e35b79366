package io.pvio.ring.blkif;

/**
 * Layout of {@code struct blkif_request} ({@code xen/io/blkif.h}) in the x86_64 ABI ("x86_64-abi"): the read/write
 * request form, also used by {@code BLKIF_OP_WRITE_BARRIER} and {@code BLKIF_OP_FLUSH_DISKCACHE}, and the common
 * prefix (operation, id) of every form.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | operation u8  | nr_segments u8|      handle (blkif_vdev_t u16)|   0
 *  +---------------+---------------+-------------------------------+
 *  |                        (padding, 4 bytes)                     |   4
 *  +---------------------------------------------------------------+
 *  |                        id (u64)                               |   8
 *  +---------------------------------------------------------------+
 *  |                        sector_number (blkif_sector_t u64)     |  16
 *  +---------------------------------------------------------------+
 *  |        seg[0..10]  11 x blkif_request_segment (8 B each)     ...|  24
 *  +---------------------------------------------------------------+
 *                                                                    112
 * </pre>
 *
 * <ul>
 *   <li>operation: a {@code BLKIF_OP_*}; it selects the form of the rest of the slot.</li>
 *   <li>nr_segments: 1..11 for READ/WRITE, 0..11 for WRITE_BARRIER/FLUSH_DISKCACHE; as a u8 a hostile front end
 *       can put up to 255 here.</li>
 *   <li>id: private to the front end, echoed unchanged in the response.</li>
 *   <li>sector_number: first 512-byte sector on the device.</li>
 *   <li>Only seg[0 .. nr_segments-1] belong to the request.</li>
 * </ul>
 */
public final class BlkifRequestDescriptor
{
    public static final int OPERATION_OFFSET = 0;
    public static final int NR_SEGMENTS_OFFSET = 1;
    public static final int HANDLE_OFFSET = 2;
    public static final int PAD_OFFSET = 4;
    public static final int PAD_LENGTH = 4;
    public static final int ID_OFFSET = 8;
    public static final int SECTOR_NUMBER_OFFSET = 16;
    /** {@code offsetof(struct blkif_request, seg)}. */
    public static final int SEGMENTS_OFFSET = 24;
    /** {@code sizeof(struct blkif_request)}. */
    public static final int LENGTH = SEGMENTS_OFFSET +
        BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST * BlkifSegmentDescriptor.LENGTH;
    /** The union of request and response is 8-byte aligned (u64 members). */
    public static final int ALIGNMENT = 8;

    private BlkifRequestDescriptor()
    {
    }

    /** Offset of {@code seg[index]} relative to the start of the request. */
    public static int segmentOffset(final int index)
    {
        return SEGMENTS_OFFSET + BlkifSegmentDescriptor.segmentOffset(index);
    }

    /** @throws IndexOutOfBoundsException unless {@code index} names one of the 11 inline segments. */
    /**
     * The first 8 bytes of the request as one little-endian u64: operation in bits 0..7, nr_segments in 8..15,
     * handle in 16..31, zero padding in 32..63.
     */
    public static long packHeaderWord(final int operation, final int nrSegments, final int handle)
    {
        return (operation & 0xFF) | ((nrSegments & 0xFF) << 8) | ((long)(handle & 0xFFFF) << 16);
    }

    public static int operationOfHeaderWord(final long word)
    {
        return (int)word & 0xFF;
    }

    public static int nrSegmentsOfHeaderWord(final long word)
    {
        return (int)(word >>> 8) & 0xFF;
    }

    public static int handleOfHeaderWord(final long word)
    {
        return (int)(word >>> 16) & 0xFFFF;
    }

    public static void checkSegmentIndex(final int index)
    {
        if (index < 0 || index >= BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST)
        {
            throw new IndexOutOfBoundsException("segment index must be in 0.." +
                (BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST - 1) + ": " + index);
        }
    }
}
