package io.pvio.ring.blkif;

import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.blkif.BlkifX86_32IndirectRequestDescriptor.HANDLE_OFFSET;
import static io.pvio.ring.blkif.BlkifX86_32IndirectRequestDescriptor.ID_OFFSET;
import static io.pvio.ring.blkif.BlkifX86_32IndirectRequestDescriptor.INDIRECT_OP_OFFSET;
import static io.pvio.ring.blkif.BlkifX86_32IndirectRequestDescriptor.LENGTH;
import static io.pvio.ring.blkif.BlkifX86_32IndirectRequestDescriptor.NR_SEGMENTS_OFFSET;
import static io.pvio.ring.blkif.BlkifX86_32IndirectRequestDescriptor.OPERATION_OFFSET;
import static io.pvio.ring.blkif.BlkifX86_32IndirectRequestDescriptor.SECTOR_NUMBER_OFFSET;

/**
 * Flyweight over a {@code blkif_request_indirect} slot in the x86_32 ABI
 * ({@link BlkifX86_32IndirectRequestDescriptor}), for 32-bit front ends and tests; the segments themselves go into indirect pages ({@link BlkifIndirectPageFlyweight}).
 * Plain accesses, published by the front ring's release store of req_prod. Setters store the low bits of their
 * argument.
 */
public final class BlkifX86_32IndirectRequestFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /** @return this. */
    public BlkifX86_32IndirectRequestFlyweight wrap(final AtomicBuffer buffer, final int offset)
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
    public BlkifX86_32IndirectRequestFlyweight clear()
    {
        buffer.setMemory(offset, LENGTH, (byte)0);
        return this;
    }

    /** {@code BLKIF_OP_INDIRECT} in a well-formed request. */
    public int operation()
    {
        return buffer.getByte(offset + OPERATION_OFFSET) & 0xFF;
    }

    public BlkifX86_32IndirectRequestFlyweight operation(final int operation)
    {
        buffer.putByte(offset + OPERATION_OFFSET, (byte)operation);
        return this;
    }

    /** indirect_op: {@code BLKIF_OP_READ} or {@code BLKIF_OP_WRITE}. */
    public int indirectOperation()
    {
        return buffer.getByte(offset + INDIRECT_OP_OFFSET) & 0xFF;
    }

    public BlkifX86_32IndirectRequestFlyweight indirectOperation(final int indirectOperation)
    {
        buffer.putByte(offset + INDIRECT_OP_OFFSET, (byte)indirectOperation);
        return this;
    }

    /** nr_segments (u16). */
    public int nrSegments()
    {
        return buffer.getShort(offset + NR_SEGMENTS_OFFSET) & 0xFFFF;
    }

    public BlkifX86_32IndirectRequestFlyweight nrSegments(final int nrSegments)
    {
        buffer.putShort(offset + NR_SEGMENTS_OFFSET, (short)nrSegments);
        return this;
    }

    public long id()
    {
        return buffer.getLong(offset + ID_OFFSET);
    }

    public BlkifX86_32IndirectRequestFlyweight id(final long id)
    {
        buffer.putLong(offset + ID_OFFSET, id);
        return this;
    }

    public long sectorNumber()
    {
        return buffer.getLong(offset + SECTOR_NUMBER_OFFSET);
    }

    public BlkifX86_32IndirectRequestFlyweight sectorNumber(final long sectorNumber)
    {
        buffer.putLong(offset + SECTOR_NUMBER_OFFSET, sectorNumber);
        return this;
    }

    public int handle()
    {
        return buffer.getShort(offset + HANDLE_OFFSET) & 0xFFFF;
    }

    public BlkifX86_32IndirectRequestFlyweight handle(final int handle)
    {
        buffer.putShort(offset + HANDLE_OFFSET, (short)handle);
        return this;
    }

    /** indirect_grefs[i] (u32 as int). */
    public int indirectGref(final int i)
    {
        return buffer.getInt(indirectGrefAt(i));
    }

    public BlkifX86_32IndirectRequestFlyweight indirectGref(final int i, final int gref)
    {
        buffer.putInt(indirectGrefAt(i), gref);
        return this;
    }

    private int indirectGrefAt(final int i)
    {
        BlkifIndirectRequestDescriptor.checkIndirectGrefIndex(i);
        return offset + BlkifX86_32IndirectRequestDescriptor.indirectGrefOffset(i);
    }
}
