package io.pvio.examples.bench.block;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JitTimeTest
{
    @Test
    void hotSpotTimesItsCompilersAndTheTotalNeverFalls()
    {
        final long before = JitTime.totalMs();
        assertTrue(before >= 0, "HotSpot times its JIT: " + before);
        long sink = 0;
        for (int i = 0; i < 2_000_000; i++)
        {
            sink += Long.rotateLeft(sink ^ i, 7) * 31;
        }
        final long after = JitTime.totalMs();
        assertTrue(after >= before, before + " then " + after + " (" + sink + ")");
        assertEquals(after - before, JitTime.between(before, after));
    }

    @Test
    void anUnknownReadingGivesAnUnknownSpanAndATotalThatFellGivesZero()
    {
        assertEquals(JitTime.UNKNOWN, JitTime.between(JitTime.UNKNOWN, 40));
        assertEquals(JitTime.UNKNOWN, JitTime.between(40, JitTime.UNKNOWN));
        assertEquals(0, JitTime.between(40, 39));
        assertEquals(12, JitTime.between(40, 52));
    }

    @Test
    void formatsMillisecondsOrNotAvailable()
    {
        assertEquals("12 ms", JitTime.format(12));
        assertEquals("0 ms", JitTime.format(0));
        assertEquals("n/a", JitTime.format(JitTime.UNKNOWN));
    }
}
