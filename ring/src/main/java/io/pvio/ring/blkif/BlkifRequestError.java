package io.pvio.ring.blkif;

/**
 * Why a copied request is malformed by {@code xen/io/blkif.h} alone ({@link BlkifRequest#validate()}). Checks that
 * need the device or the grant table (sector range, grant refs) belong to the back end. A back end answers any of
 * these with {@code BLKIF_RSP_ERROR} and the request's id, as copied.
 */
public enum BlkifRequestError
{
    /** Well formed. */
    NONE("well formed"),
    /** operation is not a blkif.h request code pvio serves (BLKIF_OP_RESERVED_1 included). */
    BAD_OPERATION("operation is not a BLKIF_OP_* request code"),
    /** READ/WRITE: nr_segments outside 1..11; WRITE_BARRIER/FLUSH_DISKCACHE: above 11. */
    BAD_SEGMENT_COUNT("nr_segments outside 1..BLKIF_MAX_SEGMENTS_PER_REQUEST (0.. for barrier/flush)"),
    /** A segment with first_sect &gt; last_sect or last_sect &gt; 7. */
    BAD_SEGMENT_SECTORS("segment with first_sect > last_sect or last_sect >= sectors per page"),
    /** INDIRECT with indirect_op other than READ or WRITE. */
    BAD_INDIRECT_OPERATION("indirect_op is not BLKIF_OP_READ or BLKIF_OP_WRITE"),
    /** INDIRECT with nr_segments 0 or above the advertised maximum (at most 8 pages x 512). */
    BAD_INDIRECT_SEGMENT_COUNT("indirect nr_segments is 0 or above feature-max-indirect-segments"),
    /** DISCARD with a flag other than 0 or BLKIF_DISCARD_SECURE. */
    BAD_DISCARD_FLAG("discard flag is neither 0 nor BLKIF_DISCARD_SECURE");

    private final String description;

    BlkifRequestError(final String description)
    {
        this.description = description;
    }

    /** What is wrong, for the back end's one log line. */
    public String description()
    {
        return description;
    }
}
