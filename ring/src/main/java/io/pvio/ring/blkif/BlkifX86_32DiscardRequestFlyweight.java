package io.pvio.ring.blkif;

import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.blkif.BlkifX86_32DiscardRequestDescriptor.FLAG_OFFSET;
import static io.pvio.ring.blkif.BlkifX86_32DiscardRequestDescriptor.HANDLE_OFFSET;
import static io.pvio.ring.blkif.BlkifX86_32DiscardRequestDescriptor.ID_OFFSET;
import static io.pvio.ring.blkif.BlkifX86_32DiscardRequestDescriptor.LENGTH;
import static io.pvio.ring.blkif.BlkifX86_32DiscardRequestDescriptor.NR_SECTORS_OFFSET;
import static io.pvio.ring.blkif.BlkifX86_32DiscardRequestDescriptor.OPERATION_OFFSET;
import static io.pvio.ring.blkif.BlkifX86_32DiscardRequestDescriptor.SECTOR_NUMBER_OFFSET;

/**
 * Flyweight over a {@code blkif_request_discard} slot in the x86_32 ABI
 * ({@link BlkifX86_32DiscardRequestDescriptor}), for 32-bit front ends and tests. Plain accesses, published by the front ring's release store of req_prod.
 */
public final class BlkifX86_32DiscardRequestFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /** @return this. */
    public BlkifX86_32DiscardRequestFlyweight wrap(final AtomicBuffer buffer, final int offset)
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
    public BlkifX86_32DiscardRequestFlyweight clear()
    {
        buffer.setMemory(offset, LENGTH, (byte)0);
        return this;
    }

    /** {@code BLKIF_OP_DISCARD} in a well-formed request. */
    public int operation()
    {
        return buffer.getByte(offset + OPERATION_OFFSET) & 0xFF;
    }

    public BlkifX86_32DiscardRequestFlyweight operation(final int operation)
    {
        buffer.putByte(offset + OPERATION_OFFSET, (byte)operation);
        return this;
    }

    /** flag: {@code BLKIF_DISCARD_SECURE} or zero. */
    public int flag()
    {
        return buffer.getByte(offset + FLAG_OFFSET) & 0xFF;
    }

    public BlkifX86_32DiscardRequestFlyweight flag(final int flag)
    {
        buffer.putByte(offset + FLAG_OFFSET, (byte)flag);
        return this;
    }

    public int handle()
    {
        return buffer.getShort(offset + HANDLE_OFFSET) & 0xFFFF;
    }

    public BlkifX86_32DiscardRequestFlyweight handle(final int handle)
    {
        buffer.putShort(offset + HANDLE_OFFSET, (short)handle);
        return this;
    }

    public long id()
    {
        return buffer.getLong(offset + ID_OFFSET);
    }

    public BlkifX86_32DiscardRequestFlyweight id(final long id)
    {
        buffer.putLong(offset + ID_OFFSET, id);
        return this;
    }

    public long sectorNumber()
    {
        return buffer.getLong(offset + SECTOR_NUMBER_OFFSET);
    }

    public BlkifX86_32DiscardRequestFlyweight sectorNumber(final long sectorNumber)
    {
        buffer.putLong(offset + SECTOR_NUMBER_OFFSET, sectorNumber);
        return this;
    }

    /** nr_sectors (u64): 512-byte sectors to discard. */
    public long nrSectors()
    {
        return buffer.getLong(offset + NR_SECTORS_OFFSET);
    }

    public BlkifX86_32DiscardRequestFlyweight nrSectors(final long nrSectors)
    {
        buffer.putLong(offset + NR_SECTORS_OFFSET, nrSectors);
        return this;
    }
}
