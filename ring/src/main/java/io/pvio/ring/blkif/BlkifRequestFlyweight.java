package io.pvio.ring.blkif;

import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.blkif.BlkifRequestDescriptor.HANDLE_OFFSET;
import static io.pvio.ring.blkif.BlkifRequestDescriptor.ID_OFFSET;
import static io.pvio.ring.blkif.BlkifRequestDescriptor.LENGTH;
import static io.pvio.ring.blkif.BlkifRequestDescriptor.NR_SEGMENTS_OFFSET;
import static io.pvio.ring.blkif.BlkifRequestDescriptor.OPERATION_OFFSET;
import static io.pvio.ring.blkif.BlkifRequestDescriptor.SECTOR_NUMBER_OFFSET;

/**
 * Flyweight over a read/write {@code blkif_request} slot in the x86_64 ABI ({@link BlkifRequestDescriptor}), for
 * front ends writing requests and for tests. Back ends never read a shared slot field by field: they copy it once
 * with {@link BlkifRequest#copyFrom}.
 * <p>
 * All accesses are plain: the front ring's release store of req_prod publishes what was written here, and the back
 * ring's acquire load of req_prod makes it visible. Setters store the low bits of their argument (u8, u16, u32).
 */
public final class BlkifRequestFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /**
     * @param offset absolute offset of the slot (e.g. from {@code FrontRing.claimRequest()}).
     * @return this.
     */
    public BlkifRequestFlyweight wrap(final AtomicBuffer buffer, final int offset)
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
    public BlkifRequestFlyweight clear()
    {
        buffer.setMemory(offset, LENGTH, (byte)0);
        return this;
    }

    public int operation()
    {
        return buffer.getByte(offset + OPERATION_OFFSET) & 0xFF;
    }

    public BlkifRequestFlyweight operation(final int operation)
    {
        buffer.putByte(offset + OPERATION_OFFSET, (byte)operation);
        return this;
    }

    /** nr_segments (u8). */
    public int nrSegments()
    {
        return buffer.getByte(offset + NR_SEGMENTS_OFFSET) & 0xFF;
    }

    public BlkifRequestFlyweight nrSegments(final int nrSegments)
    {
        buffer.putByte(offset + NR_SEGMENTS_OFFSET, (byte)nrSegments);
        return this;
    }

    /** handle (blkif_vdev_t, u16). */
    public int handle()
    {
        return buffer.getShort(offset + HANDLE_OFFSET) & 0xFFFF;
    }

    public BlkifRequestFlyweight handle(final int handle)
    {
        buffer.putShort(offset + HANDLE_OFFSET, (short)handle);
        return this;
    }

    public long id()
    {
        return buffer.getLong(offset + ID_OFFSET);
    }

    public BlkifRequestFlyweight id(final long id)
    {
        buffer.putLong(offset + ID_OFFSET, id);
        return this;
    }

    /** First 512-byte sector (u64). */
    public long sectorNumber()
    {
        return buffer.getLong(offset + SECTOR_NUMBER_OFFSET);
    }

    public BlkifRequestFlyweight sectorNumber(final long sectorNumber)
    {
        buffer.putLong(offset + SECTOR_NUMBER_OFFSET, sectorNumber);
        return this;
    }

    /**
     * Writes operation, nr_segments, handle and the padding after them in one 8-byte store.
     */
    public BlkifRequestFlyweight header(final int operation, final int nrSegments, final int handle)
    {
        buffer.putLong(offset + OPERATION_OFFSET, BlkifRequestDescriptor.packHeaderWord(operation, nrSegments, handle));
        return this;
    }

    /**
     * operation, nr_segments and handle in one 8-byte load (decode with {@code BlkifRequestDescriptor.*OfHeaderWord}):
     * a reader of a slot the peer may rewrite gets a consistent set, fetched once.
     */
    public long headerWord()
    {
        return buffer.getLong(offset + OPERATION_OFFSET);
    }

    /** seg[i] whole in one 8-byte load (decode with {@code BlkifSegmentDescriptor.*OfWord}). */
    public long segmentWord(final int i)
    {
        return BlkifSegments.word(buffer, segmentAt(i));
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
    public BlkifRequestFlyweight segment(final int i, final int gref, final int firstSector, final int lastSector)
    {
        BlkifSegments.write(buffer, segmentAt(i), gref, firstSector, lastSector);
        return this;
    }

    private int segmentAt(final int i)
    {
        BlkifRequestDescriptor.checkSegmentIndex(i);
        return offset + BlkifRequestDescriptor.segmentOffset(i);
    }
}
