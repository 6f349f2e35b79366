package io.pvio.ring.blkif;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_READ;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_WRITE;

/**
 * The request content of pvio's blkif conformance exchange ({@code pvio ring-peer} and the C interop peer
 * {@code blkif_peer.c} in the ring module's tests, whose {@code derive()} computes exactly the same values): every
 * field derived from the request id alone, so that the receiving side, in any language, can check each one.
 * <ul>
 *   <li>Request number i (from 0) carries id {@link #ID_BASE} + i; the low word wraps after 4096 requests.</li>
 *   <li>h = splitmix64 finaliser of the id; operation READ or WRITE from bit 0; nr_segments 1..11; handle, sector
 *       (40 bits) from further bits of h.</li>
 *   <li>Segment k: g = mix(h + k + 1); gref 8 + low 20 bits (never a reserved ref); first_sect 0..7;
 *       first_sect &lt;= last_sect &lt;= 7. Segments past nr_segments are not part of the request.</li>
 * </ul>
 * A request built this way is always well formed per {@code blkif.h}.
 */
public final class BlkifConformancePattern
{
    /** Id of request number 0. */
    public static final long ID_BASE = 0x7076_696F_FFFF_F000L;
    /** What {@code blkif_peer back --corrupt-every K} XORs into a response id: never an issued id. */
    public static final long CORRUPT_ID_MASK = 0x8000_0000_0000_0000L;
    private static final int MAX_SEGMENTS = 11;
    private static final int SECTORS_PER_PAGE = 8;

    private BlkifConformancePattern()
    {
    }

    /** Id of request number {@code sequence}. */
    public static long id(final long sequence)
    {
        return ID_BASE + sequence;
    }

    /** The request number an id was issued for (wrapping; valid only for ids from {@link #id}). */
    public static long sequence(final long id)
    {
        return id - ID_BASE;
    }

    public static int operation(final long id)
    {
        return (mix64(id) & 1) == 0 ? BLKIF_OP_READ : BLKIF_OP_WRITE;
    }

    public static int nrSegments(final long id)
    {
        return 1 + (int)((mix64(id) >>> 1) & 0xFF) % MAX_SEGMENTS;
    }

    public static int handle(final long id)
    {
        return (int)((mix64(id) >>> 16) & 0xFFFF);
    }

    public static long sectorNumber(final long id)
    {
        return (mix64(id) >>> 24) & 0xFF_FFFF_FFFFL;
    }

    public static int segmentGref(final long id, final int segment)
    {
        return (int)(8 + (segmentBits(id, segment) & 0xFFFFF));
    }

    public static int segmentFirstSector(final long id, final int segment)
    {
        return (int)((segmentBits(id, segment) >>> 20) & 7);
    }

    public static int segmentLastSector(final long id, final int segment)
    {
        final long g = segmentBits(id, segment);
        final int first = (int)((g >>> 20) & 7);
        return first + (int)(((g >>> 23) & 0xFF) % (SECTORS_PER_PAGE - first));
    }

    /** Writes every field of the request for {@code id} through the flyweight (allocation-free). */
    public static void write(final BlkifRequestFlyweight request, final long id)
    {
        final int nrSegments = nrSegments(id);
        request.operation(operation(id))
            .nrSegments(nrSegments)
            .handle(handle(id))
            .id(id)
            .sectorNumber(sectorNumber(id));
        for (int k = 0; k < nrSegments; k++)
        {
            request.segment(k, segmentGref(id, k), segmentFirstSector(id, k), segmentLastSector(id, k));
        }
    }

    /**
     * Checks a private copy of a received request against the pattern.
     *
     * @return null when it is request {@code expectedId} exactly, else what differs (allocates only then).
     */
    public static String mismatch(final BlkifRequest copy, final long expectedId)
    {
        final long id = copy.id();
        if (id != expectedId)
        {
            return "id 0x" + Long.toHexString(id) + ", expected 0x" + Long.toHexString(expectedId) + " next";
        }
        if (copy.operation() != operation(id) || copy.nrSegments() != nrSegments(id) ||
            copy.handle() != handle(id) || copy.sectorNumber() != sectorNumber(id))
        {
            return "request 0x" + Long.toHexString(id) + " header op=" + copy.operation() + " nr=" +
                copy.nrSegments() + " handle=" + copy.handle() + " sector=" + copy.sectorNumber() + ", expected op=" +
                operation(id) + " nr=" + nrSegments(id) + " handle=" + handle(id) + " sector=" + sectorNumber(id);
        }
        for (int k = 0; k < nrSegments(id); k++)
        {
            if (copy.segmentGref(k) != segmentGref(id, k) ||
                copy.segmentFirstSector(k) != segmentFirstSector(id, k) ||
                copy.segmentLastSector(k) != segmentLastSector(id, k))
            {
                return "request 0x" + Long.toHexString(id) + " segment " + k + " is {" + copy.segmentGref(k) + ", " +
                    copy.segmentFirstSector(k) + ", " + copy.segmentLastSector(k) + "}, expected {" +
                    segmentGref(id, k) + ", " + segmentFirstSector(id, k) + ", " + segmentLastSector(id, k) + "}";
            }
        }
        return null;
    }

    private static long segmentBits(final long id, final int segment)
    {
        return mix64(mix64(id) + segment + 1);
    }

    /** splitmix64's finaliser over id + golden gamma; unsigned shifts to match C's uint64_t. */
    static long mix64(final long value)
    {
        long z = value + 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
