package io.pvio.examples.bench.ring;

import io.pvio.ring.blkif.BlkifRequestFlyweight;
import io.pvio.ring.blkif.BlkifRings;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_ERROR;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The per-pair work: what the front end writes, the back end accepts, and one changed field it refuses. */
class BenchBlkifWorkloadTest
{
    private static final long ID = 0x1_2345_6789L;

    private final UnsafeBuffer buffer =
        new UnsafeBuffer(ByteBuffer.allocateDirect(BlkifRings.X86_64.requestBytes()));
    private final BlkifRequestFlyweight request = new BlkifRequestFlyweight().wrap(buffer, 0);
    private final RequestVerdict verdict = new RequestVerdict();

    @Test
    void wireRequestWrittenInFullIsAccepted()
    {
        BlkifWorkload.write(request, ID);
        BlkifWorkload.validate(request, verdict);
        assertVerdict(BLKIF_RSP_OKAY);
    }

    @Test
    void wireRequestWithOneChangedSegmentIsRefused()
    {
        BlkifWorkload.write(request, ID);
        request.segment(10, BlkifWorkload.gref(ID, 10) + 1, BlkifWorkload.firstSector(ID, 10),
            BlkifWorkload.lastSector(ID, 10));
        BlkifWorkload.validate(request, verdict);
        assertVerdict(BLKIF_RSP_ERROR);
    }

    @Test
    void wireRequestWithAChangedSectorIsRefused()
    {
        BlkifWorkload.write(request, ID);
        request.sectorNumber(request.sectorNumber() + 1);
        BlkifWorkload.validate(request, verdict);
        assertVerdict(BLKIF_RSP_ERROR);
    }

    @Test
    void wireRequestWithTooFewSegmentsIsRefused()
    {
        BlkifWorkload.write(request, ID);
        request.nrSegments(BlkifWorkload.SEGMENTS - 1);
        BlkifWorkload.validate(request, verdict);
        assertVerdict(BLKIF_RSP_ERROR);
    }

    @Test
    void messageRequestWrittenInFullIsAccepted()
    {
        final RequestMessage message = new RequestMessage();
        BlkifWorkload.write(message, ID);
        BlkifWorkload.validate(message, verdict);
        assertVerdict(BLKIF_RSP_OKAY);
    }

    @Test
    void messageRequestWithOneChangedFieldIsRefused()
    {
        final RequestMessage message = new RequestMessage();
        BlkifWorkload.write(message, ID);
        message.segmentLastSectors[3]++;
        BlkifWorkload.validate(message, verdict);
        assertVerdict(BLKIF_RSP_ERROR);
    }

    @Test
    void messageRequestWithAChangedHandleIsRefused()
    {
        final RequestMessage message = new RequestMessage();
        BlkifWorkload.write(message, ID);
        message.handle ^= 1;
        BlkifWorkload.validate(message, verdict);
        assertVerdict(BLKIF_RSP_ERROR);
    }

    private void assertVerdict(final int status)
    {
        assertEquals(ID, verdict.id);
        assertEquals(BlkifWorkload.operation(ID), verdict.operation);
        assertEquals(status, verdict.status);
    }
}
