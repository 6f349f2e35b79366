package io.pvio.ring.blkif;

import io.pvio.ring.SringDescriptor;
import org.agrona.concurrent.AtomicBuffer;

/**
 * Flyweight over one indirect page: 512 {@code blkif_request_segment} ({@link BlkifSegmentDescriptor}), the same in
 * both ABIs. Front ends fill it before publishing the indirect request; back ends copy it once with
 * {@link BlkifRequest#copyIndirectSegmentsFrom} after mapping the grant. Plain accesses: the request's publication
 * through req_prod orders them.
 */
public final class BlkifIndirectPageFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /**
     * @param offset absolute offset of the 4 KiB page in {@code buffer}.
     * @return this.
     */
    public BlkifIndirectPageFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        buffer.boundsCheck(offset, SringDescriptor.PAGE_SIZE_BYTES);
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

    /** Writes segment {@code i} whole: gref, first_sect, last_sect and zero padding. */
    public BlkifIndirectPageFlyweight segment(final int i, final int gref, final int firstSector, final int lastSector)
    {
        BlkifSegments.write(buffer, segmentAt(i), gref, firstSector, lastSector);
        return this;
    }

    /**
     * Writes segment {@code i} whole, as {@link #segment}, but only if the page does not hold exactly that already:
     * a front end that reuses an id's indirect page for the same buffer then stores nothing, and the page's cache
     * lines stay in the back end's CPU's cache from the last request (each store would take the line away, and
     * the back end would fetch it again from this CPU). The page ends the same either way.
     *
     * @return whether the segment was stored.
     */
    public boolean segmentIfChanged(final int i, final int gref, final int firstSector, final int lastSector)
    {
        return BlkifSegments.writeIfChanged(buffer, segmentAt(i), gref, firstSector, lastSector);
    }

    private int segmentAt(final int i)
    {
        if (i < 0 || i >= BlkifSegmentDescriptor.SEGMENTS_PER_PAGE)
        {
            throw new IndexOutOfBoundsException("indirect segment index must be in 0.." +
                (BlkifSegmentDescriptor.SEGMENTS_PER_PAGE - 1) + ": " + i);
        }
        return offset + BlkifSegmentDescriptor.segmentOffset(i);
    }
}
