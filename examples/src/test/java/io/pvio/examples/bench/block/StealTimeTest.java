package io.pvio.examples.bench.block;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The host's steal time as the block bench reads it from /proc/stat. */
class StealTimeTest
{
    private static final String STAT = """
        cpu  1000 20 300 8000 40 0 10 130 500 0
        cpu0 500 10 150 4000 20 0 5 65 250 0
        cpu1 500 10 150 4000 20 0 5 65 250 0
        intr 12345
        """;

    @Test
    void theCpuLineGivesStealAndEveryTickUpToIt()
    {
        final StealTime.Reading reading = StealTime.parse(STAT);
        // user nice system idle iowait irq softirq steal; guest (inside user) is not counted twice
        assertEquals(130, reading.stealTicks());
        assertEquals(1000 + 20 + 300 + 8000 + 40 + 0 + 10 + 130, reading.totalTicks());
    }

    @Test
    void aWindowsShareIsItsStolenTicksOverItsTicks()
    {
        final StealTime.Reading before = new StealTime.Reading(100, 10_000);
        final StealTime.Reading after = new StealTime.Reading(130, 10_200);
        assertEquals(0.15, after.shareSince(before), 1e-12);
        assertTrue(Double.isNaN(before.shareSince(before)), "no tick passed: unknown, not zero");
        assertEquals("15.0%", StealTime.format(after.shareSince(before)));
        assertEquals("n/a", StealTime.format(Double.NaN));
    }

    @Test
    void noStealFieldOrNoCpuLineIsUnknown()
    {
        // kernels before 2.6.11 stop after softirq
        assertNull(StealTime.parse("cpu  1000 20 300 8000 40 0 10\n"));
        assertNull(StealTime.parse("intr 12345\n"));
    }

    @Test
    void thisMachinesReadingIsConsistentWhereLinuxGivesOne()
    {
        if (!Files.isReadable(StealTime.PROC_STAT))
        {
            assertNull(StealTime.read());
            return;
        }
        final StealTime.Reading reading = StealTime.read();
        assertNotNull(reading);
        assertTrue(reading.stealTicks() >= 0 && reading.stealTicks() <= reading.totalTicks(), reading.toString());
    }
}
