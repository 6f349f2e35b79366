package io.pvio.frontend.block;

import io.pvio.ring.blkif.BlkifConstants;

/**
 * Where a read lands or a write comes from: bytes {@code [offsetBytes, offsetBytes + lengthBytes)} of the guest
 * pages {@code gfns} laid end to end. Whole sectors only, and every page is touched (the first holds the first
 * byte, the last the last byte), so each page becomes one blkif segment.
 */
public record BlockBuffer(long[] gfns, int offsetBytes, int lengthBytes)
{
    public static final int PAGE_BYTES = 4096;

    public BlockBuffer
    {
        gfns = gfns.clone();
        if (gfns.length == 0 || lengthBytes <= 0 || offsetBytes < 0 ||
            offsetBytes % BlkifConstants.SECTOR_SIZE_BYTES != 0 || lengthBytes % BlkifConstants.SECTOR_SIZE_BYTES != 0)
        {
            throw new IllegalArgumentException("a block buffer is whole sectors in at least one page: offset " +
                offsetBytes + ", length " + lengthBytes + ", pages " + gfns.length);
        }
        if (offsetBytes >= PAGE_BYTES || (long)offsetBytes + lengthBytes > (long)gfns.length * PAGE_BYTES ||
            (long)offsetBytes + lengthBytes <= (long)(gfns.length - 1) * PAGE_BYTES)
        {
            throw new IllegalArgumentException("every page must hold part of the buffer: offset " + offsetBytes +
                ", length " + lengthBytes + ", pages " + gfns.length);
        }
    }

    /** Whole pages from offset 0. */
    public static BlockBuffer ofPages(final long... gfns)
    {
        return new BlockBuffer(gfns, 0, gfns.length * PAGE_BYTES);
    }

    @Override
    public long[] gfns()
    {
        return gfns.clone();
    }

    public int pageCount()
    {
        return gfns.length;
    }

    public long gfn(final int page)
    {
        return gfns[page];
    }

    public int sectorCount()
    {
        return lengthBytes / BlkifConstants.SECTOR_SIZE_BYTES;
    }

    /** first_sect of page {@code page}'s segment. */
    public int firstSector(final int page)
    {
        final int start = Math.max(offsetBytes - page * PAGE_BYTES, 0);
        return start / BlkifConstants.SECTOR_SIZE_BYTES;
    }

    /** last_sect of page {@code page}'s segment (inclusive). */
    public int lastSector(final int page)
    {
        final int end = Math.min(offsetBytes + lengthBytes - page * PAGE_BYTES, PAGE_BYTES);
        return end / BlkifConstants.SECTOR_SIZE_BYTES - 1;
    }
}
