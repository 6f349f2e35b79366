package io.pvio.examples.bench.block;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CrossCoreProbeTest
{
    @Test
    void measuresARoundTripAndLeavesNoThreadBehind() throws InterruptedException
    {
        final double ns = CrossCoreProbe.roundTripNs(20_000_000L);

        // a round trip is two cache-line handovers: more than a few nanoseconds, and even with both threads on one
        // CPU, taking turns through the scheduler, far less than 100 ms
        assertTrue(ns > 5 && ns < 100_000_000, "round trip " + ns + " ns");
        assertFalse(Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().equals("pvio-cross-core-probe") && t.isAlive()), "the echo thread ended");
    }
}
