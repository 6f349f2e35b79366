package io.pvio.examples.bench.ring;

import io.pvio.ring.blkif.BlkifRequestDescriptor;
import io.pvio.ring.blkif.BlkifRequestFlyweight;
import io.pvio.ring.blkif.BlkifSegmentDescriptor;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_READ;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_WRITE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_ERROR;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;
import static io.pvio.ring.blkif.BlkifConstants.SECTORS_PER_PAGE;

/**
 * The work every benchmarked ring does per request/response pair, identical for all of them: the front end writes
 * every field of a full blkif read/write request (operation, nr_segments = 11, handle, id, sector_number and all 11
 * segments) and the back end reads every field exactly once and validates it, then answers with a 16-byte response
 * (id, operation, status).
 * <p>
 * Field values are a pure function of the request id, so the back end can tell a torn or stale request from an
 * intact one: each field must equal its expected value, which also satisfies blkif.h's rules (nr_segments &lt;= 11,
 * first_sect &lt;= last_sect &lt;= 7). Any mismatch answers {@code BLKIF_RSP_ERROR}; the front end then refuses the
 * response. Nothing here allocates.
 * <p>
 * Each ring carries the request in the form its users would: pvio and Agrona's ring buffer move Xen's 112-byte wire
 * image through the blkif flyweights, in 8-byte words (14 stores to write it, 14 loads to read it); the object queues
 * move a Java object with one field per C field (38 field writes and reads). The values and the checks are the same.
 */
final class BlkifWorkload
{
    static final int SEGMENTS = BLKIF_MAX_SEGMENTS_PER_REQUEST;
    private static final long SECTORS_PER_REQUEST = (long)SEGMENTS * SECTORS_PER_PAGE;

    private BlkifWorkload()
    {
    }

    static int operation(final long id)
    {
        return (id & 1) == 0 ? BLKIF_OP_READ : BLKIF_OP_WRITE;
    }

    static int handle(final long id)
    {
        return (int)(id >>> 1) & 0xFFFF;
    }

    static long sectorNumber(final long id)
    {
        return id * SECTORS_PER_REQUEST;
    }

    static int gref(final long id, final int segment)
    {
        return (int)id * SEGMENTS + segment + 8;
    }

    static int firstSector(final long id, final int segment)
    {
        return (int)(id + segment) & 3;
    }

    static int lastSector(final long id, final int segment)
    {
        return firstSector(id, segment) + 4;
    }

    /** Writes every field of request {@code id} through a flyweight over a ring slot or a ring-buffer record. */
    static void write(final BlkifRequestFlyweight request, final long id)
    {
        // the wire image in 8-byte words: header (operation, nr_segments, handle, padding), id, sector, 11 segments
        request.header(operation(id), SEGMENTS, handle(id));
        request.id(id);
        request.sectorNumber(sectorNumber(id));
        for (int i = 0; i < SEGMENTS; i++)
        {
            request.segment(i, gref(id, i), firstSector(id, i), lastSector(id, i));
        }
    }

    /** Writes every field of request {@code id} into a pooled message object. */
    static void write(final RequestMessage request, final long id)
    {
        request.operation = operation(id);
        request.nrSegments = SEGMENTS;
        request.handle = handle(id);
        request.id = id;
        request.sectorNumber = sectorNumber(id);
        final int[] grefs = request.segmentGrefs;
        final int[] firstSectors = request.segmentFirstSectors;
        final int[] lastSectors = request.segmentLastSectors;
        for (int i = 0; i < SEGMENTS; i++)
        {
            grefs[i] = gref(id, i);
            firstSectors[i] = firstSector(id, i);
            lastSectors[i] = lastSector(id, i);
        }
    }

    /**
     * Reads every field of a request once (never re-reading the slot: XSA-155) and records the answer.
     *
     * @param verdict receives id, operation and status for the response.
     */
    static void validate(final BlkifRequestFlyweight request, final RequestVerdict verdict)
    {
        // each 8-byte word of the slot is loaded once and decoded from the local copy
        final long header = request.headerWord();
        final long id = request.id();
        final int operation = BlkifRequestDescriptor.operationOfHeaderWord(header);
        final int nrSegments = BlkifRequestDescriptor.nrSegmentsOfHeaderWord(header);
        int mismatch = (operation ^ operation(id)) | (BlkifRequestDescriptor.handleOfHeaderWord(header) ^ handle(id)) |
            (request.sectorNumber() != sectorNumber(id) ? 1 : 0);
        // blkif.h: nr_segments <= BLKIF_MAX_SEGMENTS_PER_REQUEST; this workload always sends all of them.
        if (nrSegments == SEGMENTS)
        {
            for (int i = 0; i < SEGMENTS; i++)
            {
                // the whole segment, padding included, against the expected gref, first_sect and last_sect
                mismatch |= request.segmentWord(i) != BlkifSegmentDescriptor.packWord(
                    gref(id, i), firstSector(id, i), lastSector(id, i)) ? 1 : 0;
            }
        }
        else
        {
            mismatch = 1;
        }
        verdict.record(id, operation, mismatch == 0 ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR);
    }

    /** As {@link #validate(BlkifRequestFlyweight, RequestVerdict)} for a message object. */
    static void validate(final RequestMessage request, final RequestVerdict verdict)
    {
        final long id = request.id;
        final int operation = request.operation;
        final int nrSegments = request.nrSegments;
        int mismatch = (operation ^ operation(id)) | (request.handle ^ handle(id)) |
            (request.sectorNumber != sectorNumber(id) ? 1 : 0);
        if (nrSegments == SEGMENTS)
        {
            final int[] grefs = request.segmentGrefs;
            final int[] firstSectors = request.segmentFirstSectors;
            final int[] lastSectors = request.segmentLastSectors;
            for (int i = 0; i < SEGMENTS; i++)
            {
                mismatch |= (grefs[i] ^ gref(id, i)) |
                    (firstSectors[i] ^ firstSector(id, i)) |
                    (lastSectors[i] ^ lastSector(id, i));
            }
        }
        else
        {
            mismatch = 1;
        }
        verdict.record(id, operation, mismatch == 0 ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR);
    }
}
