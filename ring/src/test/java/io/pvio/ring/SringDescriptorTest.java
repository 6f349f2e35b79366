package io.pvio.ring;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SringDescriptorTest
{
    @Test
    void ringSizeRoundsDownToAPowerOfTwoLikeRingSizeMacro()
    {
        // XEN-NOTES: blkif 32 entries per page, 512 for 16 pages; netif tx/rx 256.
        assertEquals(32, SringDescriptor.ringSize(4096, 112));
        assertEquals(512, SringDescriptor.ringSize(65536, 112));
        assertEquals(256, SringDescriptor.ringSize(4096, 12));
        assertEquals(256, SringDescriptor.ringSize(4096, 8));
        assertEquals(1, SringDescriptor.ringSize(64 + 4031, 4031));
        assertEquals(2, SringDescriptor.ringSize(64 + 3 * 16, 16));
    }

    @Test
    void ringSizeRejectsRingsThatHoldNothing()
    {
        assertThrows(IllegalArgumentException.class, () -> SringDescriptor.ringSize(4096, 4033));
        assertThrows(IllegalArgumentException.class, () -> SringDescriptor.ringSize(4096, 0));
    }

    @Test
    void entryLayoutIsTheUnionOfRequestAndResponse()
    {
        final RingEntryLayout blkif = RingEntryLayout.of("blkif", 112, 16, 8);
        assertEquals(112, blkif.entryBytes());
        assertEquals(32, blkif.ringSize(0));
        assertEquals(512, blkif.ringSize(4));
        // netif tx: request 12 B, response 4 B, alignment 4 -> 12 B entries.
        assertEquals(12, RingEntryLayout.of("netif_tx", 12, 4, 4).entryBytes());
        // A response longer than the request, and rounding up to the union's alignment.
        assertEquals(24, RingEntryLayout.of("odd", 10, 20, 8).entryBytes());
        assertThrows(IllegalArgumentException.class, () -> RingEntryLayout.of("bad", 8, 8, 3));
    }

    @Test
    void entryOffsetMasksTheFreeRunningIndex()
    {
        assertEquals(64, SringDescriptor.entryOffset(0, 31, 112));
        assertEquals(64 + 31 * 112, SringDescriptor.entryOffset(31, 31, 112));
        assertEquals(64, SringDescriptor.entryOffset(32, 31, 112));
        assertEquals(64 + 31 * 112, SringDescriptor.entryOffset(-1, 31, 112));
    }

    @Test
    void notifyRuleMatchesRingHAcrossTheWrap()
    {
        // event inside (old, new]: notify.
        assertTrue(SringDescriptor.notifyRequired(0, 1, 1));
        assertTrue(SringDescriptor.notifyRequired(0, 5, 5));
        assertTrue(SringDescriptor.notifyRequired(0, 5, 3));
        // event already passed (<= old) or not yet reached (> new): no notify.
        assertFalse(SringDescriptor.notifyRequired(5, 9, 5));
        assertFalse(SringDescriptor.notifyRequired(5, 9, 10));
        // nothing published: never notify.
        assertFalse(SringDescriptor.notifyRequired(7, 7, 7));
        // the same checks straddling 2^32.
        assertTrue(SringDescriptor.notifyRequired(-3, 2, 0));
        assertTrue(SringDescriptor.notifyRequired(-3, 2, -2));
        assertFalse(SringDescriptor.notifyRequired(-3, 2, -3));
        assertFalse(SringDescriptor.notifyRequired(-3, 2, 3));
    }

    @Test
    void ringRegionMustBeWholeAlignedPagesInsideTheBuffer()
    {
        SringDescriptor.checkRingRegion(4096, 8192, 3 * 4096);
        assertThrows(IllegalArgumentException.class, () -> SringDescriptor.checkRingRegion(100, 4096, 8192));
        assertThrows(IllegalArgumentException.class, () -> SringDescriptor.checkRingRegion(0, 3 * 4096, 4 * 4096));
        assertThrows(IllegalArgumentException.class, () -> SringDescriptor.checkRingRegion(4096, 4096, 4096));
        assertThrows(IllegalArgumentException.class, () -> SringDescriptor.checkRingPageOrder(-1));
        assertThrows(IllegalArgumentException.class,
            () -> SringDescriptor.checkRingPageOrder(SringDescriptor.MAX_RING_PAGE_ORDER + 1));
    }
}
