package io.pvio.ring.blkif;

import io.pvio.ring.SharedMemory;
import io.pvio.ring.SharedRing;
import io.pvio.ring.SringDescriptor;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_READ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The conformance pattern spans every legal shape of a read/write request and its checker catches a change. */
class BlkifConformancePatternTest
{
    private final SharedMemory memory = SharedMemory.allocateOffHeap(SringDescriptor.PAGE_SIZE_BYTES);
    private final AtomicBuffer buffer = memory.buffer();
    private final SharedRing ring = SharedRing.ofPageOrder(buffer, 0, BlkifRings.X86_64);

    @AfterEach
    void close()
    {
        memory.close();
    }

    @Test
    void everyDerivedRequestIsWellFormedAndChecksOut()
    {
        final BlkifRequestFlyweight request = new BlkifRequestFlyweight();
        final BlkifRequest copy = new BlkifRequest();
        final boolean[] segmentCountsSeen = new boolean[12];
        int reads = 0;
        for (long sequence = 0; sequence < 10_000; sequence++)
        {
            final long id = BlkifConformancePattern.id(sequence);
            BlkifConformancePattern.write(request.wrap(buffer, ring.entryOffset(0)), id);
            copy.copyFrom(buffer, ring.entryOffset(0), BlkifAbi.X86_64);
            // the same derivation the C blkif_peer and the ring test kit check against, field for field
            assertNull(BlkifConformancePattern.mismatch(copy, id), () -> "request " + Long.toHexString(id));
            assertEquals(BlkifRequestError.NONE, copy.validate(), () -> "request " + Long.toHexString(id));
            segmentCountsSeen[copy.nrSegments()] = true;
            reads += copy.operation() == BLKIF_OP_READ ? 1 : 0;
        }
        for (int n = 1; n <= 11; n++)
        {
            assertTrue(segmentCountsSeen[n], "no request with " + n + " segments");
        }
        assertTrue(reads > 4000 && reads < 6000, "reads and writes both common: " + reads + " reads");
    }

    @Test
    void mismatchNamesTheFieldThatDiffers()
    {
        final BlkifRequestFlyweight request = new BlkifRequestFlyweight().wrap(buffer, ring.entryOffset(0));
        final BlkifRequest copy = new BlkifRequest();
        final long id = BlkifConformancePattern.id(7);
        BlkifConformancePattern.write(request, id);
        request.sectorNumber(request.sectorNumber() + 1);
        copy.copyFrom(buffer, ring.entryOffset(0), BlkifAbi.X86_64);
        final String mismatch = BlkifConformancePattern.mismatch(copy, id);
        assertNotNull(mismatch);
        assertTrue(mismatch.contains("sector"), mismatch);
        assertNotNull(BlkifConformancePattern.mismatch(copy, BlkifConformancePattern.id(8)));
        assertEquals(7, BlkifConformancePattern.sequence(id));
    }
}
