package io.pvio.ring.blkif;

import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.blkif.BlkifIndirectRequestDescriptor.HANDLE_OFFSET;
import static io.pvio.ring.blkif.BlkifIndirectRequestDescriptor.ID_OFFSET;
import static io.pvio.ring.blkif.BlkifIndirectRequestDescriptor.INDIRECT_OP_OFFSET;
import static io.pvio.ring.blkif.BlkifIndirectRequestDescriptor.LENGTH;
import static io.pvio.ring.blkif.BlkifIndirectRequestDescriptor.NR_SEGMENTS_OFFSET;
import static io.pvio.ring.blkif.BlkifIndirectRequestDescriptor.OPERATION_OFFSET;
import static io.pvio.ring.blkif.BlkifIndirectRequestDescriptor.SECTOR_NUMBER_OFFSET;

/**
 * Flyweight over a {@code blkif_request_indirect} slot in the x86_64 ABI ({@link BlkifIndirectRequestDescriptor}),
 * for front ends and tests; the segments themselves go into indirect pages ({@link BlkifIndirectPageFlyweight}).
 * Plain accesses, published by the front ring's release store of req_prod. Setters store the low bits of their
 * argument.
 */
public final class BlkifIndirectRequestFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /** @return this. */
    public BlkifIndirectRequestFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        buffer.boundsCheck(offset, LENGTH);
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public AtomicBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    /** Zeroes the whole request, padding included. */
    public BlkifIndirectRequestFlyweight clear()
    {
        buffer.setMemory(offset, LENGTH, (byte)0);
        return this;
    }

    /** {@code BLKIF_OP_INDIRECT} in a well-formed request. */
    public int operation()
    {
        return buffer.getByte(offset + OPERATION_OFFSET) & 0xFF;
    }

    public BlkifIndirectRequestFlyweight operation(final int operation)
    {
        buffer.putByte(offset + OPERATION_OFFSET, (byte)operation);
        return this;
    }

    /** indirect_op: {@code BLKIF_OP_READ} or {@code BLKIF_OP_WRITE}. */
    public int indirectOperation()
    {
        return buffer.getByte(offset + INDIRECT_OP_OFFSET) & 0xFF;
    }

    public BlkifIndirectRequestFlyweight indirectOperation(final int indirectOperation)
    {
        buffer.putByte(offset + INDIRECT_OP_OFFSET, (byte)indirectOperation);
        return this;
    }

    /** nr_segments (u16). */
    public int nrSegments()
    {
        return buffer.getShort(offset + NR_SEGMENTS_OFFSET) & 0xFFFF;
    }

    public BlkifIndirectRequestFlyweight nrSegments(final int nrSegments)
    {
        buffer.putShort(offset + NR_SEGMENTS_OFFSET, (short)nrSegments);
        return this;
    }

    public long id()
    {
        return buffer.getLong(offset + ID_OFFSET);
    }

    public BlkifIndirectRequestFlyweight id(final long id)
    {
        buffer.putLong(offset + ID_OFFSET, id);
        return this;
    }

    public long sectorNumber()
    {
        return buffer.getLong(offset + SECTOR_NUMBER_OFFSET);
    }

    public BlkifIndirectRequestFlyweight sectorNumber(final long sectorNumber)
    {
        buffer.putLong(offset + SECTOR_NUMBER_OFFSET, sectorNumber);
        return this;
    }

    public int handle()
    {
        return buffer.getShort(offset + HANDLE_OFFSET) & 0xFFFF;
    }

    public BlkifIndirectRequestFlyweight handle(final int handle)
    {
        buffer.putShort(offset + HANDLE_OFFSET, (short)handle);
        return this;
    }

    /** indirect_grefs[i] (u32 as int). */
    public int indirectGref(final int i)
    {
        return buffer.getInt(indirectGrefAt(i));
    }

    public BlkifIndirectRequestFlyweight indirectGref(final int i, final int gref)
    {
        buffer.putInt(indirectGrefAt(i), gref);
        return this;
    }

    private int indirectGrefAt(final int i)
    {
        BlkifIndirectRequestDescriptor.checkIndirectGrefIndex(i);
        return offset + BlkifIndirectRequestDescriptor.indirectGrefOffset(i);
    }
}
