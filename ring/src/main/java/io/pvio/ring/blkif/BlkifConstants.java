package io.pvio.ring.blkif;

/**
 * The protocol constants of {@code xen/io/blkif.h} that belong to no single layout: operation codes, response
 * statuses, request limits and sector geometry. Field offsets live in the per-layout descriptors.
 */
public final class BlkifConstants
{
    // ---- operations (blkif.h "REQUEST CODES") ----
    public static final int BLKIF_OP_READ = 0;
    public static final int BLKIF_OP_WRITE = 1;
    /** Optional ("feature-barrier"): all earlier writes complete before it, later ones start after it. */
    public static final int BLKIF_OP_WRITE_BARRIER = 2;
    /** Optional ("feature-flush-cache"): commit the device's volatile cache to stable storage. */
    public static final int BLKIF_OP_FLUSH_DISKCACHE = 3;
    /** Reserved (SLES device-specific packets); never valid here. */
    public static final int BLKIF_OP_RESERVED_1 = 4;
    /** Optional ("feature-discard"): the range is no longer in use; uses the discard request form. */
    public static final int BLKIF_OP_DISCARD = 5;
    /** Optional ("feature-max-indirect-segments"): segments in granted indirect pages; the indirect form. */
    public static final int BLKIF_OP_INDIRECT = 6;

    // ---- response statuses (blkif.h "STATUS RETURN CODES") ----
    public static final int BLKIF_RSP_EOPNOTSUPP = -2;
    public static final int BLKIF_RSP_ERROR = -1;
    public static final int BLKIF_RSP_OKAY = 0;

    // ---- limits ----
    /** Segments inline in a read/write request. */
    public static final int BLKIF_MAX_SEGMENTS_PER_REQUEST = 11;
    /** indirect_grefs in an indirect request. */
    public static final int BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST = 8;
    /** {@code PAGE_SIZE / sizeof(struct blkif_request_segment)}: segments per indirect page. */
    public static final int SEGMENTS_PER_INDIRECT_PAGE =
        BlkifSegmentDescriptor.SEGMENTS_PER_PAGE;
    /** The most segments an indirect request can describe: 8 pages of 512. */
    public static final int MAX_INDIRECT_SEGMENTS =
        BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * SEGMENTS_PER_INDIRECT_PAGE;

    /** blkif_request_discard.flag: all copies of the range must become unrecoverable. */
    public static final int BLKIF_DISCARD_SECURE = 1;

    // ---- geometry ----
    /** sector_number, nr_sectors, first_sect and last_sect count 512-byte sectors. */
    public static final int SECTOR_SIZE_BYTES = 512;
    /** Sectors in one 4 KiB granted page: first_sect and last_sect lie in 0..7. */
    public static final int SECTORS_PER_PAGE = 8;

    // ---- "info" key bits ----
    public static final int VDISK_CDROM = 0x1;
    public static final int VDISK_REMOVABLE = 0x2;
    public static final int VDISK_READONLY = 0x4;

    private BlkifConstants()
    {
    }

    /** The operation's name for diagnostics, e.g. {@code READ}; {@code UNKNOWN(n)} otherwise (allocates then). */
    public static String operationName(final int operation)
    {
        switch (operation)
        {
            case BLKIF_OP_READ:
                return "READ";
            case BLKIF_OP_WRITE:
                return "WRITE";
            case BLKIF_OP_WRITE_BARRIER:
                return "WRITE_BARRIER";
            case BLKIF_OP_FLUSH_DISKCACHE:
                return "FLUSH_DISKCACHE";
            case BLKIF_OP_RESERVED_1:
                return "RESERVED_1";
            case BLKIF_OP_DISCARD:
                return "DISCARD";
            case BLKIF_OP_INDIRECT:
                return "INDIRECT";
            default:
                return "UNKNOWN(" + operation + ")";
        }
    }
}
