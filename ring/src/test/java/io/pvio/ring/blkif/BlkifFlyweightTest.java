package io.pvio.ring.blkif;

import io.pvio.ring.SharedMemory;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_DISCARD;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_INDIRECT;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_WRITE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_EOPNOTSUPP;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_ERROR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlkifFlyweightTest
{
    private static final int SLOT = 256;
    private static final byte DIRTY = (byte)0xA5;

    private AtomicBuffer buffer;

    @BeforeEach
    void setUp()
    {
        buffer = SharedMemory.allocateOffHeap(2 * 4096).buffer();
        buffer.setMemory(0, buffer.capacity(), DIRTY);
    }

    @Test
    void ringLayoutsMatchHeaderFigures()
    {
        assertEquals(112, BlkifRings.X86_64.entryBytes());
        assertEquals(32, BlkifRings.X86_64.ringSize(0));
        assertEquals(512, BlkifRings.X86_64.ringSize(4));
        assertEquals(108, BlkifRings.X86_32.entryBytes());
        assertEquals(12, BlkifRings.X86_32.responseBytes());
        assertEquals(32, BlkifRings.X86_32.ringSize(0));
        assertEquals(512, BlkifRings.X86_32.ringSize(4));
        assertEquals(4096, BlkifConstants.MAX_INDIRECT_SEGMENTS);
    }

    @Test
    void abiProtocolNames()
    {
        assertSame(BlkifAbi.X86_64, BlkifAbi.fromProtocol("x86_64-abi"));
        assertSame(BlkifAbi.X86_32, BlkifAbi.fromProtocol("x86_32-abi"));
        assertNull(BlkifAbi.fromProtocol("arm-abi"));
        assertNull(BlkifAbi.fromProtocol(null));
        assertSame(BlkifRings.X86_32, BlkifAbi.X86_32.layout());
    }

    @Test
    void x86_64RequestFieldsLandAtHeaderOffsets()
    {
        final BlkifRequestFlyweight request = new BlkifRequestFlyweight().wrap(buffer, SLOT)
            .operation(BLKIF_OP_WRITE).nrSegments(2).handle(0xBEEF).id(0x1122_3344_5566_7788L).sectorNumber(99);
        request.segment(1, 0xCAFE_F00D, 3, 7);

        assertEquals(BLKIF_OP_WRITE, buffer.getByte(SLOT));
        assertEquals(2, buffer.getByte(SLOT + 1));
        assertEquals((short)0xBEEF, buffer.getShort(SLOT + 2));
        assertEquals(0x1122_3344_5566_7788L, buffer.getLong(SLOT + 8));
        assertEquals(99L, buffer.getLong(SLOT + 16));
        assertEquals(0xCAFE_F00D, buffer.getInt(SLOT + 24 + 8));
        assertEquals(3, buffer.getByte(SLOT + 24 + 8 + 4));
        assertEquals(7, buffer.getByte(SLOT + 24 + 8 + 5));
        assertEquals(0, buffer.getShort(SLOT + 24 + 8 + 6), "segment padding zeroed over dirty memory");
        assertEquals(DIRTY, buffer.getByte(SLOT + 24 + 16), "segment 2 untouched");

        assertEquals(0xBEEF, request.handle());
        assertEquals(0xCAFE_F00D, request.segmentGref(1));
        assertEquals(3, request.segmentFirstSector(1));
        assertEquals(7, request.segmentLastSector(1));
        assertThrows(IndexOutOfBoundsException.class, () -> request.segment(11, 1, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> request.segmentGref(-1));
    }

    @Test
    void x86_32RequestFieldsLandAtI386Offsets()
    {
        final BlkifX86_32RequestFlyweight request = new BlkifX86_32RequestFlyweight().wrap(buffer, SLOT)
            .operation(BLKIF_OP_WRITE).nrSegments(11).handle(5).id(-2L).sectorNumber(0x0102_0304_0506_0708L);
        request.segment(10, 77, 0, 7);

        assertEquals(11, buffer.getByte(SLOT + 1));
        assertEquals(-2L, buffer.getLong(SLOT + 4));
        assertEquals(0x0102_0304_0506_0708L, buffer.getLong(SLOT + 12));
        assertEquals(77, buffer.getInt(SLOT + 20 + 80));
        assertEquals(0, buffer.getShort(SLOT + 20 + 80 + 6));
        assertEquals(DIRTY, buffer.getByte(SLOT + 108), "nothing written past the 108-byte request");
        assertEquals(-2L, request.id());
        assertEquals(11, request.nrSegments());
    }

    @Test
    void x86_64ResponseWritesAllSixteenBytesWithZeroPadding()
    {
        final BlkifResponseFlyweight response = new BlkifResponseFlyweight().wrap(buffer, SLOT)
            .write(0x0A0B_0C0D_0E0F_1011L, BLKIF_OP_INDIRECT, BLKIF_RSP_EOPNOTSUPP);

        assertEquals(0x0A0B_0C0D_0E0F_1011L, buffer.getLong(SLOT));
        assertEquals(BLKIF_OP_INDIRECT, buffer.getByte(SLOT + 8));
        assertEquals(0, buffer.getByte(SLOT + 9), "padding byte 9 (CVE-2017-10911)");
        assertEquals(BLKIF_RSP_EOPNOTSUPP, buffer.getShort(SLOT + 10));
        assertEquals(0, buffer.getInt(SLOT + 12), "padding bytes 12..15 (CVE-2017-10911)");
        assertEquals(DIRTY, buffer.getByte(SLOT + 16));
        assertEquals(BLKIF_OP_INDIRECT, response.operation());
        assertEquals(BLKIF_RSP_EOPNOTSUPP, response.status());
        assertEquals(0x0A0B_0C0D_0E0F_1011L, response.id());
    }

    @Test
    void x86_32ResponseWritesTwelveBytesWithZeroPadding()
    {
        BlkifAbi.X86_32.writeResponse(buffer, SLOT, 42L, 0xFF, BLKIF_RSP_ERROR);

        assertEquals(42L, buffer.getLong(SLOT));
        assertEquals((byte)0xFF, buffer.getByte(SLOT + 8));
        assertEquals(0, buffer.getByte(SLOT + 9), "padding byte 9 (CVE-2017-10911)");
        assertEquals(BLKIF_RSP_ERROR, buffer.getShort(SLOT + 10));
        assertEquals(DIRTY, buffer.getByte(SLOT + 12), "nothing written past the 12-byte response");
        final BlkifX86_32ResponseFlyweight response = new BlkifX86_32ResponseFlyweight().wrap(buffer, SLOT);
        assertEquals(0xFF, response.operation());
        assertEquals(BLKIF_RSP_ERROR, response.status());
    }

    @Test
    void abiWriteResponseMatchesTheX86_64Flyweight()
    {
        BlkifAbi.X86_64.writeResponse(buffer, SLOT, 7L, BLKIF_OP_WRITE, 0);
        buffer.putInt(SLOT + 2048 + 12, -1);
        new BlkifResponseFlyweight().wrap(buffer, SLOT + 2048).write(7L, BLKIF_OP_WRITE, 0);
        for (int i = 0; i < BlkifResponseDescriptor.LENGTH; i++)
        {
            assertEquals(buffer.getByte(SLOT + i), buffer.getByte(SLOT + 2048 + i), "byte " + i);
        }
    }

    @Test
    void indirectAndDiscardFormsInBothAbis()
    {
        new BlkifIndirectRequestFlyweight().wrap(buffer, SLOT).clear().operation(BLKIF_OP_INDIRECT)
            .indirectOperation(BLKIF_OP_WRITE).nrSegments(0x1234).id(1).sectorNumber(2).handle(3)
            .indirectGref(7, 0x7777);
        assertEquals(0x1234, buffer.getShort(SLOT + 2));
        assertEquals(3, buffer.getShort(SLOT + 24));
        assertEquals(0x7777, buffer.getInt(SLOT + 28 + 28));
        assertEquals(0, buffer.getInt(SLOT + 60), "clear() zeroed the tail padding");

        new BlkifX86_32IndirectRequestFlyweight().wrap(buffer, SLOT + 512).operation(BLKIF_OP_INDIRECT)
            .handle(9).indirectGref(0, 0x1010).id(5);
        assertEquals(9, buffer.getShort(SLOT + 512 + 20));
        assertEquals(0x1010, buffer.getInt(SLOT + 512 + 24));
        assertEquals(5L, buffer.getLong(SLOT + 512 + 4));

        new BlkifDiscardRequestFlyweight().wrap(buffer, SLOT + 1024).operation(BLKIF_OP_DISCARD)
            .flag(BlkifConstants.BLKIF_DISCARD_SECURE).nrSectors(1L << 40);
        assertEquals(1, buffer.getByte(SLOT + 1024 + 1));
        assertEquals(1L << 40, buffer.getLong(SLOT + 1024 + 24));

        final BlkifX86_32DiscardRequestFlyweight discard32 = new BlkifX86_32DiscardRequestFlyweight()
            .wrap(buffer, SLOT + 1536).nrSectors(12345).sectorNumber(6);
        assertEquals(12345L, buffer.getLong(SLOT + 1536 + 20));
        assertEquals(6L, buffer.getLong(SLOT + 1536 + 12));
        assertEquals(12345L, discard32.nrSectors());
    }

    @Test
    void indirectPageHoldsFiveHundredTwelveSegments()
    {
        final BlkifIndirectPageFlyweight page = new BlkifIndirectPageFlyweight().wrap(buffer, 4096);
        page.segment(511, 0xABCD, 1, 6);
        assertEquals(0xABCD, buffer.getInt(4096 + 4088));
        assertEquals(0, buffer.getShort(4096 + 4094));
        assertEquals(6, page.segmentLastSector(511));
        assertThrows(IndexOutOfBoundsException.class, () -> page.segment(512, 0, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> page.wrap(buffer, 4097));
    }

    @Test
    void aSegmentIsStoredOnlyIfThePageDoesNotHoldItAlready()
    {
        final BlkifIndirectPageFlyweight page = new BlkifIndirectPageFlyweight().wrap(buffer, 4096);
        // the buffer starts DIRTY: the padding differs too, so the first write stores
        assertTrue(page.segmentIfChanged(7, 0x1234, 0, 7));
        final long written = buffer.getLong(4096 + 7 * 8);
        page.segment(8, 0x1234, 0, 7);
        assertEquals(buffer.getLong(4096 + 8 * 8), written, "the same bytes as segment()");
        // the same segment again: nothing stored
        assertFalse(page.segmentIfChanged(7, 0x1234, 0, 7));
        // any field that differs is stored, and the page ends as segment() would leave it
        assertTrue(page.segmentIfChanged(7, 0x1235, 0, 7));
        assertEquals(0x1235, page.segmentGref(7));
        assertTrue(page.segmentIfChanged(7, 0x1235, 1, 7));
        assertEquals(1, page.segmentFirstSector(7));
        assertTrue(page.segmentIfChanged(7, 0x1235, 1, 6));
        assertEquals(6, page.segmentLastSector(7));
        // padding the page holds that a whole write would clear is a difference too
        buffer.putByte(4096 + 7 * 8 + 6, DIRTY);
        assertTrue(page.segmentIfChanged(7, 0x1235, 1, 6));
        assertEquals(0, buffer.getShort(4096 + 7 * 8 + 6));
        assertThrows(IndexOutOfBoundsException.class, () -> page.segmentIfChanged(512, 0, 0, 0));
    }

    @Test
    void wordAccessMatchesTheFieldLayoutByteForByte()
    {
        final BlkifRequestFlyweight request = new BlkifRequestFlyweight().wrap(buffer, SLOT);
        request.header(BlkifConstants.BLKIF_OP_WRITE, 11, 0xBEEF);
        request.segment(3, 0xCAFEF00D, 2, 6);

        // field getters see what the word stores wrote, and the padding is zero
        org.junit.jupiter.api.Assertions.assertEquals(BlkifConstants.BLKIF_OP_WRITE, request.operation());
        org.junit.jupiter.api.Assertions.assertEquals(11, request.nrSegments());
        org.junit.jupiter.api.Assertions.assertEquals(0xBEEF, request.handle());
        org.junit.jupiter.api.Assertions.assertEquals(0, buffer.getInt(SLOT + BlkifRequestDescriptor.PAD_OFFSET));
        org.junit.jupiter.api.Assertions.assertEquals(0xCAFEF00D, request.segmentGref(3));
        org.junit.jupiter.api.Assertions.assertEquals(2, request.segmentFirstSector(3));
        org.junit.jupiter.api.Assertions.assertEquals(6, request.segmentLastSector(3));
        org.junit.jupiter.api.Assertions.assertEquals(0, buffer.getShort(
            SLOT + BlkifRequestDescriptor.segmentOffset(3) + BlkifSegmentDescriptor.PAD_OFFSET));

        // and the word getters decode fields written one by one
        request.operation(BlkifConstants.BLKIF_OP_READ).nrSegments(7).handle(0x1234);
        request.segment(0, 0x80000001, 7, 7);
        final long header = request.headerWord();
        org.junit.jupiter.api.Assertions.assertEquals(BlkifConstants.BLKIF_OP_READ,
            BlkifRequestDescriptor.operationOfHeaderWord(header));
        org.junit.jupiter.api.Assertions.assertEquals(7, BlkifRequestDescriptor.nrSegmentsOfHeaderWord(header));
        org.junit.jupiter.api.Assertions.assertEquals(0x1234, BlkifRequestDescriptor.handleOfHeaderWord(header));
        final long segment = request.segmentWord(0);
        org.junit.jupiter.api.Assertions.assertEquals(0x80000001, BlkifSegmentDescriptor.grefOfWord(segment));
        org.junit.jupiter.api.Assertions.assertEquals(7, BlkifSegmentDescriptor.firstSectorOfWord(segment));
        org.junit.jupiter.api.Assertions.assertEquals(7, BlkifSegmentDescriptor.lastSectorOfWord(segment));
        org.junit.jupiter.api.Assertions.assertEquals(BlkifSegmentDescriptor.packWord(0x80000001, 7, 7), segment);
    }
}
