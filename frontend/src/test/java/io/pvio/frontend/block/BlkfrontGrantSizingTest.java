package io.pvio.frontend.block;

import io.pvio.ring.blkif.BlkifConstants;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How many pages and grant references a ring sets aside for its data path, as documented. */
class BlkfrontGrantSizingTest
{
    private static final int INLINE = BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST;

    @Test
    void persistentPagesCoverEveryIdUpToTheBoundAndAlwaysOneLargestRequest()
    {
        // a one-page ring: 32 ids
        assertEquals(32 * INLINE, BlkfrontPersistentPages.pageCountFor(32, INLINE), "inline only: all of it");
        assertEquals(BlkfrontPersistentPages.MAX_PAGES_PER_RING, BlkfrontPersistentPages.pageCountFor(32, 64));
        assertEquals(512, BlkfrontPersistentPages.pageCountFor(32, 64), "2 MiB, not 32 x 64 pages");
        // larger rings bring more ids, not more pages
        assertEquals(512, BlkfrontPersistentPages.pageCountFor(512, 64));
        // never fewer than one largest request
        assertEquals(BlkfrontDevice.MAX_INDIRECT_SEGMENTS, BlkfrontPersistentPages.pageCountFor(1,
            BlkfrontDevice.MAX_INDIRECT_SEGMENTS));
        assertEquals(512, BlkfrontPersistentPages.pageCountFor(32, BlkfrontDevice.MAX_INDIRECT_SEGMENTS));
    }

    @Test
    void aRingReservesAQuarterOfTheFreeRefsButOneLargestRequestIfThatManyAreFree()
    {
        assertEquals(32 * INLINE, BlkfrontRing.refPoolSizeFor(32, INLINE, 4000), "all it could use");
        assertEquals(1000, BlkfrontRing.refPoolSizeFor(32, 64, 4000), "a quarter of what is free");
        assertEquals(64, BlkfrontRing.refPoolSizeFor(32, 64, 200), "one largest request");
        assertEquals(50, BlkfrontRing.refPoolSizeFor(32, 64, 50), "what there is");
        assertEquals(0, BlkfrontRing.refPoolSizeFor(32, 64, 0));
    }
}
