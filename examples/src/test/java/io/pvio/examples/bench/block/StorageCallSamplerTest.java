package io.pvio.examples.bench.block;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StorageCallSamplerTest
{
    private static final long SPIN_NS = 20_000;

    @Test
    void aboutOneCallInSixtyFourIsTimed()
    {
        final StorageCallSampler sampler = new StorageCallSampler();
        final StorageCallSampler.Reading before = sampler.read();
        final int calls = 64_000;
        for (int i = 0; i < calls; i++)
        {
            sampler.end(sampler.begin(4096));
        }
        final long samples = sampler.read().samples() - before.samples();
        // binomial(64,000, 1/64): mean 1,000, standard deviation 31; these bounds are more than 9 deviations out
        assertTrue(samples > 700 && samples < 1_300, samples + " of " + calls + " calls timed");
    }

    @Test
    void everyLargeCallIsTimed()
    {
        final StorageCallSampler sampler = new StorageCallSampler();
        for (int i = 0; i < 100; i++)
        {
            sampler.end(sampler.begin(StorageCallSampler.ALWAYS_BYTES));
        }
        assertEquals(100, sampler.read().samples());
    }

    @Test
    void aTimedCallIsAtLeastAsLongAsItRan()
    {
        final StorageCallSampler sampler = new StorageCallSampler();
        final StorageCallSampler.Reading before = sampler.read();
        while (sampler.read().samples() - before.samples() < 20)
        {
            final long token = sampler.begin(4096);
            final long startNs = System.nanoTime();
            while (System.nanoTime() - startNs < SPIN_NS)
            {
                Thread.onSpinWait();
            }
            sampler.end(token);
        }
        // the span holds the whole spin; only the clock's own cost, measured apart, is taken off
        final double meanNs = sampler.read().meanNsSince(before);
        assertTrue(meanNs >= SPIN_NS - StorageCallSampler.clockReadNs(), meanNs + " ns");
    }

    @Test
    void aReadingWithNoNewSampleHasNoMean()
    {
        final StorageCallSampler.Reading reading = new StorageCallSampler.Reading(5, 5_000);
        assertTrue(Double.isNaN(reading.meanNsSince(reading)));
        assertEquals(1_500.0, new StorageCallSampler.Reading(7, 8_000).meanNsSince(reading));
    }

    @Test
    void theClockCostIsMeasuredOnceAndIsAClockRead()
    {
        final long ns = StorageCallSampler.clockReadNs();
        // a clock read costs something under a microsecond on any machine this runs on; it is measured once
        assertTrue(ns >= 0 && ns < 1_000_000, ns + " ns");
        assertEquals(ns, StorageCallSampler.clockReadNs());
    }
}
