package io.pvio.ring.blkif;

import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.blkif.BlkifX86_32RequestDescriptor.HANDLE_OFFSET;
import static io.pvio.ring.blkif.BlkifX86_32RequestDescriptor.ID_OFFSET;
import static io.pvio.ring.blkif.BlkifX86_32RequestDescriptor.LENGTH;
import static io.pvio.ring.blkif.BlkifX86_32RequestDescriptor.NR_SEGMENTS_OFFSET;
import static io.pvio.ring.blkif.BlkifX86_32RequestDescriptor.OPERATION_OFFSET;
import static io.pvio.ring.blkif.BlkifX86_32RequestDescriptor.SECTOR_NUMBER_OFFSET;

/**
 * Flyweight over a read/write {@code blkif_request} slot in the x86_32 ABI ({@link BlkifX86_32RequestDescriptor}),
 * for 32-bit front ends and tests. Back ends never read a shared slot field by field: they copy it once with
 * {@link BlkifRequest#copyFrom}.
 * <p>
 * All accesses are plain: the front ring's release store of req_prod publishes what was written here, and the back
 * ring's acquire load of req_prod makes it visible. Setters store the low bits of their argument (u8, u16, u32).
 */
public final class BlkifX86_32RequestFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /**
     * @param offset absolute offset of the slot (e.g. from {@code FrontRing.claimRequest()}).
     * @return this.
     */
    public BlkifX86_32RequestFlyweight wrap(final AtomicBuffer buffer, final int offset)
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
    public BlkifX86_32RequestFlyweight clear()
    {
        buffer.setMemory(offset, LENGTH, (byte)0);
        return this;
    }

    public int operation()
    {
        return buffer.getByte(offset + OPERATION_OFFSET) & 0xFF;
    }

    public BlkifX86_32RequestFlyweight operation(final int operation)
    {
        buffer.putByte(offset + OPERATION_OFFSET, (byte)operation);
        return this;
    }

    /** nr_segments (u8). */
    public int nrSegments()
    {
        return buffer.getByte(offset + NR_SEGMENTS_OFFSET) & 0xFF;
    }

    public BlkifX86_32RequestFlyweight nrSegments(final int nrSegments)
    {
        buffer.putByte(offset + NR_SEGMENTS_OFFSET, (byte)nrSegments);
        return this;
    }

    /** handle (blkif_vdev_t, u16). */
    public int handle()
    {
        return buffer.getShort(offset + HANDLE_OFFSET) & 0xFFFF;
    }

    public BlkifX86_32RequestFlyweight handle(final int handle)
    {
        buffer.putShort(offset + HANDLE_OFFSET, (short)handle);
        return this;
    }

    public long id()
    {
        return buffer.getLong(offset + ID_OFFSET);
    }

    public BlkifX86_32RequestFlyweight id(final long id)
    {
        buffer.putLong(offset + ID_OFFSET, id);
        return this;
    }

    /** First 512-byte sector (u64). */
    public long sectorNumber()
    {
        return buffer.getLong(offset + SECTOR_NUMBER_OFFSET);
    }

    public BlkifX86_32RequestFlyweight sectorNumber(final long sectorNumber)
    {
        buffer.putLong(offset + SECTOR_NUMBER_OFFSET, sectorNumber);
        return this;
    }

    /** seg[i].gref (grant_ref_t, u32 as int). */
    public int segmentGref(final int i)
    {
        return BlkifSegments.gref(buffer, segmentAt(i));
    }

    public int segmentFirstSector(final int i)
    {
        return BlkifSegments.firstSector(buffer, segmentAt(i));
    }

    public int segmentLastSector(final int i)
    {
        return BlkifSegments.lastSector(buffer, segmentAt(i));
    }

    /** Writes seg[i] whole: gref, first_sect, last_sect and zero padding. */
    public BlkifX86_32RequestFlyweight segment(final int i, final int gref, final int firstSector, final int lastSector)
    {
        BlkifSegments.write(buffer, segmentAt(i), gref, firstSector, lastSector);
        return this;
    }

    private int segmentAt(final int i)
    {
        BlkifRequestDescriptor.checkSegmentIndex(i);
        return offset + BlkifX86_32RequestDescriptor.segmentOffset(i);
    }
}
