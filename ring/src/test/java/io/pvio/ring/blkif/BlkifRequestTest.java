package io.pvio.ring.blkif;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_DISCARD_SECURE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_DISCARD;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_FLUSH_DISKCACHE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_INDIRECT;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_READ;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_WRITE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_WRITE_BARRIER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BlkifRequestTest
{
    private static final int SLOT = 128;
    private static final int PAGE = 4096;
    private static final long ID = 0x7076_696F_0000_0001L;

    private final FetchCountingBuffer buffer = new FetchCountingBuffer(3 * 4096);
    private final BlkifRequest copy = new BlkifRequest();

    @ParameterizedTest
    @EnumSource(BlkifAbi.class)
    void readWriteRequestIsCopiedFieldByField(final BlkifAbi abi)
    {
        writeReadWrite(abi, BLKIF_OP_WRITE, 11);

        copy.copyFrom(buffer, SLOT, abi);

        assertEquals(BlkifRequestError.NONE, copy.validate());
        assertEquals(abi, copy.abi());
        assertEquals(BLKIF_OP_WRITE, copy.operation());
        assertEquals(BLKIF_OP_WRITE, copy.dataOperation());
        assertEquals(11, copy.nrSegments());
        assertEquals(11, copy.segmentCount());
        assertEquals(0xFEDC, copy.handle());
        assertEquals(ID, copy.id());
        assertEquals(0x8000_0000_0000_0001L, copy.sectorNumber());
        for (int i = 0; i < 11; i++)
        {
            assertEquals(0x1000 + i, copy.segmentGref(i));
            assertEquals(i % 8, copy.segmentFirstSector(i));
            assertEquals(7, copy.segmentLastSector(i));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> copy.segmentGref(11));
    }

    @ParameterizedTest
    @EnumSource(BlkifAbi.class)
    void copyReadsOperationFirstAndNoByteTwice(final BlkifAbi abi)
    {
        writeReadWrite(abi, BLKIF_OP_READ, 11);
        assertFetchedOnce(abi);

        writeIndirect(abi, BLKIF_OP_READ, 4096);
        assertFetchedOnce(abi);

        writeDiscard(abi, BLKIF_DISCARD_SECURE);
        assertFetchedOnce(abi);

        buffer.putByte(SLOT, (byte)99);
        assertFetchedOnce(abi);
    }

    @ParameterizedTest
    @EnumSource(BlkifAbi.class)
    void slotRewrittenAfterCopyDoesNotChangeTheCopy(final BlkifAbi abi)
    {
        writeReadWrite(abi, BLKIF_OP_READ, 3);
        copy.copyFrom(buffer, SLOT, abi);

        buffer.setMemory(SLOT, abi.requestBytes(), (byte)0xFF);

        assertEquals(BLKIF_OP_READ, copy.operation());
        assertEquals(3, copy.nrSegments());
        assertEquals(ID, copy.id());
        assertEquals(0x1002, copy.segmentGref(2));
        assertEquals(BlkifRequestError.NONE, copy.validate());
    }

    @ParameterizedTest
    @EnumSource(BlkifAbi.class)
    void hostileSegmentCountIsBoundedBeforeCopyingAndRejected(final BlkifAbi abi)
    {
        writeReadWrite(abi, BLKIF_OP_WRITE, 11);
        nrSegmentsByte(abi, 255);
        buffer.resetCounts();

        copy.copyFrom(buffer, SLOT, abi);

        assertEquals(255, copy.nrSegments());
        assertEquals(11, copy.segmentCount());
        assertEquals(0, buffer.readsOutside(SLOT, abi.requestBytes()), "read beyond the slot");
        assertEquals(BlkifRequestError.BAD_SEGMENT_COUNT, copy.validate());
    }

    @Test
    void segmentCountLimitsPerOperation()
    {
        writeReadWrite(BlkifAbi.X86_64, BLKIF_OP_READ, 0);
        assertEquals(BlkifRequestError.BAD_SEGMENT_COUNT, copy.copyFrom(buffer, SLOT, BlkifAbi.X86_64).validate());

        writeReadWrite(BlkifAbi.X86_64, BLKIF_OP_WRITE, 12);
        assertEquals(BlkifRequestError.BAD_SEGMENT_COUNT, copy.copyFrom(buffer, SLOT, BlkifAbi.X86_64).validate());

        writeReadWrite(BlkifAbi.X86_64, BLKIF_OP_FLUSH_DISKCACHE, 0);
        assertEquals(BlkifRequestError.NONE, copy.copyFrom(buffer, SLOT, BlkifAbi.X86_64).validate());

        writeReadWrite(BlkifAbi.X86_32, BLKIF_OP_WRITE_BARRIER, 11);
        assertEquals(BlkifRequestError.NONE, copy.copyFrom(buffer, SLOT, BlkifAbi.X86_32).validate());

        writeReadWrite(BlkifAbi.X86_32, BLKIF_OP_WRITE_BARRIER, 12);
        assertEquals(BlkifRequestError.BAD_SEGMENT_COUNT, copy.copyFrom(buffer, SLOT, BlkifAbi.X86_32).validate());
    }

    @ParameterizedTest
    @EnumSource(BlkifAbi.class)
    void badSectorRangesAreRejected(final BlkifAbi abi)
    {
        writeReadWrite(abi, BLKIF_OP_READ, 4);
        segment(abi, 3, 0x99, 5, 4);
        assertEquals(BlkifRequestError.BAD_SEGMENT_SECTORS, copy.copyFrom(buffer, SLOT, abi).validate());

        segment(abi, 3, 0x99, 0, 8);
        assertEquals(BlkifRequestError.BAD_SEGMENT_SECTORS, copy.copyFrom(buffer, SLOT, abi).validate());

        segment(abi, 3, 0x99, 7, 7);
        assertEquals(BlkifRequestError.NONE, copy.copyFrom(buffer, SLOT, abi).validate());
    }

    @ParameterizedTest
    @ValueSource(ints = {BlkifConstants.BLKIF_OP_RESERVED_1, 7, 0x80, 0xFF})
    void unknownOperationsCopyOnlyTheIdToEcho(final int operation)
    {
        for (final BlkifAbi abi : BlkifAbi.values())
        {
            writeReadWrite(abi, operation, 1);
            copy.copyFrom(buffer, SLOT, abi);
            assertEquals(BlkifRequestError.BAD_OPERATION, copy.validate(), abi.name());
            assertEquals(operation, copy.operation());
            assertEquals(ID, copy.id(), abi.name());
            assertEquals(0, copy.nrSegments());
            assertEquals(0, copy.segmentCount());
        }
    }

    @ParameterizedTest
    @EnumSource(BlkifAbi.class)
    void indirectRequestIsCopiedAndChecked(final BlkifAbi abi)
    {
        writeIndirect(abi, BLKIF_OP_WRITE, 600);
        copy.copyFrom(buffer, SLOT, abi);
        assertEquals(BlkifRequestError.NONE, copy.validate());
        assertEquals(BLKIF_OP_INDIRECT, copy.operation());
        assertEquals(BLKIF_OP_WRITE, copy.dataOperation());
        assertEquals(600, copy.nrSegments());
        assertEquals(2, copy.indirectPageCount());
        assertEquals(0xABC0, copy.indirectGref(0));
        assertEquals(0xABC7, copy.indirectGref(7));
        assertEquals(0x4321, copy.handle());
        assertEquals(ID, copy.id());
        assertEquals(1L << 33, copy.sectorNumber());

        writeIndirect(abi, BLKIF_OP_FLUSH_DISKCACHE, 1);
        assertEquals(BlkifRequestError.BAD_INDIRECT_OPERATION, copy.copyFrom(buffer, SLOT, abi).validate());

        writeIndirect(abi, BLKIF_OP_READ, 0);
        assertEquals(BlkifRequestError.BAD_INDIRECT_SEGMENT_COUNT, copy.copyFrom(buffer, SLOT, abi).validate());

        writeIndirect(abi, BLKIF_OP_READ, 4097);
        assertEquals(BlkifRequestError.BAD_INDIRECT_SEGMENT_COUNT, copy.copyFrom(buffer, SLOT, abi).validate());

        writeIndirect(abi, BLKIF_OP_READ, 65);
        assertEquals(BlkifRequestError.BAD_INDIRECT_SEGMENT_COUNT,
            new BlkifRequest(64).copyFrom(buffer, SLOT, abi).validate(), "above the advertised maximum");
    }

    @ParameterizedTest
    @EnumSource(BlkifAbi.class)
    void aRequestCopiedAfterAnIndirectOneHasNoIndirectGrefs(final BlkifAbi abi)
    {
        writeIndirect(abi, BLKIF_OP_WRITE, 600);
        copy.copyFrom(buffer, SLOT, abi);
        assertEquals(0xABC7, copy.indirectGref(7));
        // the same copy object, reused for a plain read: nothing of the indirect request shows through
        buffer.setMemory(SLOT, abi.requestBytes(), (byte)0);
        writeReadWrite(abi, BLKIF_OP_READ, 1);
        copy.copyFrom(buffer, SLOT, abi);
        assertEquals(BLKIF_OP_READ, copy.operation());
        for (int i = 0; i < BlkifConstants.BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
        {
            assertEquals(0, copy.indirectGref(i), "indirect_grefs[" + i + "]");
        }
        assertEquals(0, copy.indirectPageCount());
    }

    @Test
    void indirectSegmentsAreCopiedPageByPageAndValidated()
    {
        writeIndirect(BlkifAbi.X86_64, BLKIF_OP_READ, 600);
        final BlkifIndirectPageFlyweight page = new BlkifIndirectPageFlyweight();
        for (int i = 0; i < 512; i++)
        {
            page.wrap(buffer, PAGE).segment(i, 8 + i, 0, 7);
        }
        for (int i = 0; i < 88; i++)
        {
            page.wrap(buffer, 2 * PAGE).segment(i, 520 + i, 1, 2);
        }
        page.wrap(buffer, 2 * PAGE).segment(88, 0, 7, 0);

        copy.copyFrom(buffer, SLOT, BlkifAbi.X86_64);
        assertEquals(BlkifRequestError.NONE, copy.validate());
        assertEquals(512, copy.copyIndirectSegmentsFrom(buffer, PAGE));
        assertEquals(88, copy.copyIndirectSegmentsFrom(buffer, 2 * PAGE), "segment 88 is past nr_segments");
        assertEquals(2, copy.indirectPagesCopied());
        assertEquals(600, copy.segmentCount());
        assertEquals(BlkifRequestError.NONE, copy.validate());
        assertEquals(8, copy.segmentGref(0));
        assertEquals(607, copy.segmentGref(599));
        assertEquals(2, copy.segmentLastSector(599));
        assertThrows(IllegalStateException.class, () -> copy.copyIndirectSegmentsFrom(buffer, PAGE));

        page.wrap(buffer, 2 * PAGE).segment(87, 1, 3, 2);
        copy.copyFrom(buffer, SLOT, BlkifAbi.X86_64);
        copy.copyIndirectSegmentsFrom(buffer, PAGE);
        copy.copyIndirectSegmentsFrom(buffer, 2 * PAGE);
        assertEquals(BlkifRequestError.BAD_SEGMENT_SECTORS, copy.validate());
    }

    @ParameterizedTest
    @EnumSource(BlkifAbi.class)
    void discardRequestIsCopiedAndItsFlagChecked(final BlkifAbi abi)
    {
        writeDiscard(abi, BLKIF_DISCARD_SECURE);
        copy.copyFrom(buffer, SLOT, abi);
        assertEquals(BlkifRequestError.NONE, copy.validate());
        assertEquals(BLKIF_OP_DISCARD, copy.operation());
        assertEquals(BLKIF_DISCARD_SECURE, copy.discardFlag());
        assertEquals(0x77, copy.handle());
        assertEquals(ID, copy.id());
        assertEquals(2048L, copy.sectorNumber());
        assertEquals(-1L, copy.nrSectors(), "u64 kept whole");

        writeDiscard(abi, 2);
        assertEquals(BlkifRequestError.BAD_DISCARD_FLAG, copy.copyFrom(buffer, SLOT, abi).validate());
    }

    @Test
    void fieldsOfThePreviousCopyAreCleared()
    {
        writeIndirect(BlkifAbi.X86_64, BLKIF_OP_READ, 600);
        copy.copyFrom(buffer, SLOT, BlkifAbi.X86_64);
        writeDiscard(BlkifAbi.X86_64, 0);
        copy.copyFrom(buffer, SLOT, BlkifAbi.X86_64);

        assertEquals(0, copy.indirectGref(0));
        assertEquals(0, copy.indirectOperation());
        assertEquals(0, copy.indirectPageCount());
        assertEquals(0, copy.nrSegments());
        assertThrows(IllegalStateException.class, () -> copy.copyIndirectSegmentsFrom(buffer, PAGE));
    }

    @Test
    void capacityIsBoundedByTheIndirectMaximum()
    {
        assertThrows(IllegalArgumentException.class, () -> new BlkifRequest(-1));
        assertThrows(IllegalArgumentException.class, () -> new BlkifRequest(4097));
        writeIndirect(BlkifAbi.X86_64, BLKIF_OP_READ, 1);
        assertEquals(BlkifRequestError.BAD_INDIRECT_SEGMENT_COUNT,
            new BlkifRequest(0).copyFrom(buffer, SLOT, BlkifAbi.X86_64).validate(), "indirect not advertised");
    }

    // ---- helpers: requests written through the flyweights ----

    private void assertFetchedOnce(final BlkifAbi abi)
    {
        buffer.resetCounts();
        copy.copyFrom(buffer, SLOT, abi);
        assertEquals(SLOT, buffer.firstReadIndex(), "operation is read first");
        assertEquals(1, buffer.maxReadsOfAnyByte(), "some byte of the slot was fetched twice");
        assertEquals(0, buffer.readsOutside(SLOT, abi.requestBytes()));
    }

    private void writeReadWrite(final BlkifAbi abi, final int operation, final int nrSegments)
    {
        buffer.setMemory(SLOT, BlkifRequestDescriptor.LENGTH, (byte)0x5A);
        if (abi == BlkifAbi.X86_64)
        {
            new BlkifRequestFlyweight().wrap(buffer, SLOT).operation(operation).nrSegments(nrSegments)
                .handle(0xFEDC).id(ID).sectorNumber(0x8000_0000_0000_0001L);
        }
        else
        {
            new BlkifX86_32RequestFlyweight().wrap(buffer, SLOT).operation(operation).nrSegments(nrSegments)
                .handle(0xFEDC).id(ID).sectorNumber(0x8000_0000_0000_0001L);
        }
        for (int i = 0; i < BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
        {
            segment(abi, i, 0x1000 + i, i % 8, 7);
        }
    }

    private void segment(final BlkifAbi abi, final int i, final int gref, final int first, final int last)
    {
        if (abi == BlkifAbi.X86_64)
        {
            new BlkifRequestFlyweight().wrap(buffer, SLOT).segment(i, gref, first, last);
        }
        else
        {
            new BlkifX86_32RequestFlyweight().wrap(buffer, SLOT).segment(i, gref, first, last);
        }
    }

    private void nrSegmentsByte(final BlkifAbi abi, final int nrSegments)
    {
        if (abi == BlkifAbi.X86_64)
        {
            new BlkifRequestFlyweight().wrap(buffer, SLOT).nrSegments(nrSegments);
        }
        else
        {
            new BlkifX86_32RequestFlyweight().wrap(buffer, SLOT).nrSegments(nrSegments);
        }
    }

    private void writeIndirect(final BlkifAbi abi, final int indirectOperation, final int nrSegments)
    {
        buffer.setMemory(SLOT, BlkifRequestDescriptor.LENGTH, (byte)0x5A);
        if (abi == BlkifAbi.X86_64)
        {
            final BlkifIndirectRequestFlyweight request = new BlkifIndirectRequestFlyweight().wrap(buffer, SLOT)
                .operation(BLKIF_OP_INDIRECT).indirectOperation(indirectOperation).nrSegments(nrSegments)
                .id(ID).sectorNumber(1L << 33).handle(0x4321);
            for (int i = 0; i < BlkifConstants.BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
            {
                request.indirectGref(i, 0xABC0 + i);
            }
        }
        else
        {
            final BlkifX86_32IndirectRequestFlyweight request = new BlkifX86_32IndirectRequestFlyweight()
                .wrap(buffer, SLOT).operation(BLKIF_OP_INDIRECT).indirectOperation(indirectOperation)
                .nrSegments(nrSegments).id(ID).sectorNumber(1L << 33).handle(0x4321);
            for (int i = 0; i < BlkifConstants.BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
            {
                request.indirectGref(i, 0xABC0 + i);
            }
        }
    }

    private void writeDiscard(final BlkifAbi abi, final int flag)
    {
        buffer.setMemory(SLOT, BlkifRequestDescriptor.LENGTH, (byte)0x5A);
        if (abi == BlkifAbi.X86_64)
        {
            new BlkifDiscardRequestFlyweight().wrap(buffer, SLOT).operation(BLKIF_OP_DISCARD).flag(flag)
                .handle(0x77).id(ID).sectorNumber(2048).nrSectors(-1L);
        }
        else
        {
            new BlkifX86_32DiscardRequestFlyweight().wrap(buffer, SLOT).operation(BLKIF_OP_DISCARD).flag(flag)
                .handle(0x77).id(ID).sectorNumber(2048).nrSectors(-1L);
        }
    }

    /** Counts, per byte, the plain loads {@link BlkifRequest} makes (it uses no other kind), to catch double fetches. */
    private static final class FetchCountingBuffer extends UnsafeBuffer
    {
        private final int[] reads;
        private int firstReadIndex = -1;

        FetchCountingBuffer(final int capacity)
        {
            super(ByteBuffer.allocateDirect(capacity));
            reads = new int[capacity];
        }

        void resetCounts()
        {
            Arrays.fill(reads, 0);
            firstReadIndex = -1;
        }

        int firstReadIndex()
        {
            return firstReadIndex;
        }

        int maxReadsOfAnyByte()
        {
            int max = 0;
            for (final int count : reads)
            {
                max = Math.max(max, count);
            }
            return max;
        }

        int readsOutside(final int offset, final int length)
        {
            int outside = 0;
            for (int i = 0; i < reads.length; i++)
            {
                if (i < offset || i >= offset + length)
                {
                    outside += reads[i];
                }
            }
            return outside;
        }

        private void count(final int index, final int length)
        {
            if (firstReadIndex < 0)
            {
                firstReadIndex = index;
            }
            for (int i = index; i < index + length; i++)
            {
                reads[i]++;
            }
        }

        @Override
        public byte getByte(final int index)
        {
            count(index, 1);
            return super.getByte(index);
        }

        @Override
        public short getShort(final int index)
        {
            count(index, 2);
            return super.getShort(index);
        }

        @Override
        public int getInt(final int index)
        {
            count(index, 4);
            return super.getInt(index);
        }

        @Override
        public long getLong(final int index)
        {
            count(index, 8);
            return super.getLong(index);
        }
    }
}
