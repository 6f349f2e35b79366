package io.pvio.examples.bench.block;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Times a sample of one path's storage calls (a random one in {@link #ONE_IN}, and every call of
 * {@link #ALWAYS_BYTES} or more: blkback's {@code FileImageStorage}
 * read or write on the PV path, the I/O thread's own {@code FileChannel} read or write on the native path), so a
 * round can say how much of an I/O thread's time per request went into the call itself and how much into the rest
 * (on the PV path: taking the request off the ring, checking it, its grants, the response, waiting for the next).
 * Each call costs a random draw (a few ns, on both paths alike); the two clock reads of a timed call cost about
 * 60 ns, spread over {@link #ONE_IN} calls about 1 ns a request.
 * A timed span also holds one clock read's own cost (the end of the first, the start of the second), measured once
 * per JVM ({@link #clockReadNs()}) and taken off each sample; what is left of the error (the second read also waits
 * for the call's last memory traffic) is the same on both paths, so the difference between their rests is the
 * surest figure. Any number of threads may time calls at once.
 */
final class StorageCallSampler
{
    /** One call in this many is timed, at random, unless it moves {@link #ALWAYS_BYTES} or more. */
    static final int ONE_IN = 64;
    /**
     * Calls this large are all timed: at most a few tens of thousands a second (1 MiB requests), too few for a one
     * in 64 sample to be steady, and each long enough (tens of us) that two clock reads cost it nothing.
     */
    static final int ALWAYS_BYTES = 64 * 1024;

    private static final long NOT_SAMPLED = Long.MIN_VALUE;
    /** The clock's cost is measured this many reads at a time, the cheapest of {@link #CLOCK_BATCHES} batches. */
    private static final int CLOCK_READS_PER_BATCH = 1_000;
    private static final int CLOCK_BATCHES = 200;
    private static volatile long clockReadNs = -1;

    private final long overheadNs = clockReadNs();

    private final LongAdder sampledNs = new LongAdder();
    private final LongAdder samples = new LongAdder();

    /**
     * What has been timed so far.
     *
     * @param samples   calls timed.
     * @param sampledNs their time together.
     */
    record Reading(long samples, long sampledNs)
    {
        /** The mean time of the calls timed since {@code earlier}, in ns; NaN if none was. */
        double meanNsSince(final Reading earlier)
        {
            final long count = samples - earlier.samples;
            return count <= 0 ? Double.NaN : (double)(sampledNs - earlier.sampledNs) / count;
        }
    }

    /** Call just before a storage call of {@code lengthBytes}; pass what it returns to {@link #end}. */
    long begin(final int lengthBytes)
    {
        return lengthBytes >= ALWAYS_BYTES || ThreadLocalRandom.current().nextInt(ONE_IN) == 0 ? System.nanoTime() :
            NOT_SAMPLED;
    }

    /** Call just after the storage call that {@code token} (from {@link #begin}) began. */
    void end(final long token)
    {
        if (token != NOT_SAMPLED)
        {
            sampledNs.add(Math.max(0, System.nanoTime() - token - overheadNs));
            samples.increment();
        }
    }

    /**
     * What one {@link System#nanoTime()} costs here, in whole ns: the cheapest batch of back-to-back reads (the
     * cheapest, so that a batch the thread lost its CPU in does not count). Measured on first use, a few ms.
     */
    static long clockReadNs()
    {
        long ns = clockReadNs;
        if (ns < 0)
        {
            long best = Long.MAX_VALUE;
            long sink = 0;
            for (int batch = 0; batch < CLOCK_BATCHES; batch++)
            {
                final long startNs = System.nanoTime();
                for (int i = 0; i < CLOCK_READS_PER_BATCH; i++)
                {
                    sink += System.nanoTime();
                }
                best = Math.min(best, System.nanoTime() - startNs);
            }
            // sink is used so the reads cannot be left out; it is never 1 in practice
            ns = best / CLOCK_READS_PER_BATCH + (sink == 1 ? 1 : 0);
            clockReadNs = ns;
        }
        return ns;
    }

    Reading read()
    {
        // not atomic: a call recorded meanwhile may be in one sum and not yet in the other, one among thousands
        final long count = samples.sum();
        return new Reading(count, sampledNs.sum());
    }
}
