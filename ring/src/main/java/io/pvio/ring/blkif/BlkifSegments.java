package io.pvio.ring.blkif;

import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.blkif.BlkifSegmentDescriptor.FIRST_SECT_OFFSET;
import static io.pvio.ring.blkif.BlkifSegmentDescriptor.GREF_OFFSET;
import static io.pvio.ring.blkif.BlkifSegmentDescriptor.LAST_SECT_OFFSET;

/** Plain accesses to one {@code blkif_request_segment} at an absolute offset, shared by every flyweight. */
final class BlkifSegments
{
    private BlkifSegments()
    {
    }

    static int gref(final AtomicBuffer buffer, final int segmentOffset)
    {
        return buffer.getInt(segmentOffset + GREF_OFFSET);
    }

    static int firstSector(final AtomicBuffer buffer, final int segmentOffset)
    {
        return buffer.getByte(segmentOffset + FIRST_SECT_OFFSET) & 0xFF;
    }

    static int lastSector(final AtomicBuffer buffer, final int segmentOffset)
    {
        return buffer.getByte(segmentOffset + LAST_SECT_OFFSET) & 0xFF;
    }

    /** The segment in one 8-byte load ({@link BlkifSegmentDescriptor#packWord}): read once, decode from the copy. */
    static long word(final AtomicBuffer buffer, final int segmentOffset)
    {
        return buffer.getLong(segmentOffset);
    }

    /**
     * Writes the segment whole, padding zero, unless the buffer holds exactly that already (one 8-byte load, then
     * the store only if it differs). For a page the back end reads from another CPU: a store, even of the same
     * value, takes the cache line from the back end's CPU, which then fetches it again; a line left alone stays
     * in both caches.
     *
     * @return whether it stored.
     */
    static boolean writeIfChanged(
        final AtomicBuffer buffer, final int segmentOffset, final int gref, final int firstSector, final int lastSector)
    {
        final long word = BlkifSegmentDescriptor.packWord(gref, firstSector, lastSector);
        if (buffer.getLong(segmentOffset) == word)
        {
            return false;
        }
        buffer.putLong(segmentOffset, word);
        return true;
    }

    /** Writes the segment whole, padding zero, in one 8-byte store. */
    static void write(
        final AtomicBuffer buffer, final int segmentOffset, final int gref, final int firstSector, final int lastSector)
    {
        buffer.putLong(segmentOffset, BlkifSegmentDescriptor.packWord(gref, firstSector, lastSector));
    }
}
