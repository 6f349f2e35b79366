package io.pvio.examples.demo.block;

import io.pvio.backend.block.BlkbackFeatures;
import io.pvio.ring.blkif.BlkifConstants;

/**
 * Where each of the demo's requests goes: request {@code i} writes (and later reads back) the sectors right after
 * request {@code i - 1}'s, in four shapes taken in turn so that every way blkif carries data shows up:
 * <ol>
 *   <li>8 whole pages (32 KiB): 8 segments inline in the request;</li>
 *   <li>3 sectors in the middle of one page: one segment with {@code first_sect} 2, {@code last_sect} 4;</li>
 *   <li>{@value #LARGE_PAGES} pages (256 KiB): more than the 11 inline segments, so {@code BLKIF_OP_INDIRECT};</li>
 *   <li>11 pages (44 KiB): the most a request holds inline.</li>
 * </ol>
 */
public final class DemoRequestPlan
{
    /** A large request: as many pages as the demo's blkback accepts in one indirect request. */
    public static final int LARGE_PAGES = BlkbackFeatures.DEFAULT_MAX_INDIRECT_SEGMENTS;
    public static final int PAGE_BYTES = 4096;
    public static final int SECTORS_PER_PAGE = PAGE_BYTES / BlkifConstants.SECTOR_SIZE_BYTES;

    /** The shapes, in turn: pages, first byte in the first page, bytes. */
    private static final int[][] SHAPES = {
        {8, 0, 8 * PAGE_BYTES},
        {1, 1024, 3 * BlkifConstants.SECTOR_SIZE_BYTES},
        {LARGE_PAGES, 0, LARGE_PAGES * PAGE_BYTES},
        {BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST, 0, BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST * PAGE_BYTES},
    };

    /** The number of shapes: request {@code i} has shape {@code i % SHAPE_COUNT}. */
    public static final int SHAPE_COUNT = SHAPES.length;

    /** One request of the plan. */
    public record Request(int index, long sector, int sectorCount, int pageCount, int offsetBytes)
    {
        public int lengthBytes()
        {
            return sectorCount * BlkifConstants.SECTOR_SIZE_BYTES;
        }

        public long lastSector()
        {
            return sector + sectorCount - 1;
        }

        /** Whether it has more segments than fit in the request: blkfront then sends it indirect. */
        public boolean isIndirect()
        {
            return pageCount > BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST;
        }
    }

    private final int count;
    private final long sectorsPerCycle;

    /** @param count requests in the plan, at least 1. */
    public DemoRequestPlan(final int count)
    {
        if (count < 1)
        {
            throw new IllegalArgumentException("requests must be at least 1: " + count);
        }
        this.count = count;
        long sectors = 0;
        for (final int[] shape : SHAPES)
        {
            sectors += shape[2] / BlkifConstants.SECTOR_SIZE_BYTES;
        }
        this.sectorsPerCycle = sectors;
    }

    public int count()
    {
        return count;
    }

    /** Pages a request of shape {@code shape} needs. */
    public static int pagesOfShape(final int shape)
    {
        return SHAPES[shape][0];
    }

    public Request request(final int index)
    {
        if (index < 0 || index >= count)
        {
            throw new IndexOutOfBoundsException("request " + index + " of " + count);
        }
        final int shape = index % SHAPE_COUNT;
        long sector = (long)(index / SHAPE_COUNT) * sectorsPerCycle;
        for (int s = 0; s < shape; s++)
        {
            sector += SHAPES[s][2] / BlkifConstants.SECTOR_SIZE_BYTES;
        }
        final int[] form = SHAPES[shape];
        return new Request(index, sector, form[2] / BlkifConstants.SECTOR_SIZE_BYTES, form[0], form[1]);
    }

    /** Sectors the whole plan covers, from sector 0. */
    public long totalSectors()
    {
        final Request last = request(count - 1);
        return last.sector() + last.sectorCount();
    }

    /** Bytes the whole plan writes (and reads back). */
    public long totalBytes()
    {
        return totalSectors() * BlkifConstants.SECTOR_SIZE_BYTES;
    }

    /** How many of the plan's requests go indirect. */
    public int indirectCount()
    {
        int indirect = 0;
        for (int shape = 0; shape < SHAPE_COUNT; shape++)
        {
            if (SHAPES[shape][0] > BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST)
            {
                indirect += count / SHAPE_COUNT + (shape < count % SHAPE_COUNT ? 1 : 0);
            }
        }
        return indirect;
    }
}
