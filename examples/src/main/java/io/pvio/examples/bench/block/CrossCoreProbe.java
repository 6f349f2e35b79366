package io.pvio.examples.bench.block;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How long two threads take to pass a cache line back and forth right now: one writes a counter, the other sees it
 * and writes it back, and the first sees that. The PV path hands every request and response between two CPUs
 * through the ring's shared cache lines (blkfront's and blkback's threads), where the native path runs on one, so
 * this round trip is what PV pays and native does not. On a VM it is not a constant: the host places the vCPUs on
 * cores near each other or far apart, and moves them (measured here: 100 to 550 ns on the same VM within minutes).
 * The benchmark takes it before each round so that a round can be read against it.
 */
final class CrossCoreProbe
{
    private final AtomicLong ping = new AtomicLong();
    private final AtomicLong pong = new AtomicLong();

    /** Mean nanoseconds per round trip over about {@code durationNs}, between this thread and a new one. */
    static double roundTripNs(final long durationNs) throws InterruptedException
    {
        return new CrossCoreProbe().run(durationNs);
    }

    private double run(final long durationNs) throws InterruptedException
    {
        final Thread echo = new Thread(this::echo, "pvio-cross-core-probe");
        echo.setDaemon(true);
        echo.start();
        long value = 0;
        final long startNs = System.nanoTime();
        long elapsedNs;
        do
        {
            for (int i = 0; i < 64; i++)
            {
                value++;
                ping.setRelease(value);
                while (pong.getAcquire() != value)
                {
                    Thread.onSpinWait();
                }
            }
            elapsedNs = System.nanoTime() - startNs;
        }
        while (elapsedNs < durationNs);
        ping.setRelease(-1);
        echo.join();
        return (double)elapsedNs / value;
    }

    private void echo()
    {
        long seen = 0;
        while (true)
        {
            final long value = ping.getAcquire();
            if (value == seen)
            {
                Thread.onSpinWait();
                continue;
            }
            if (value < 0)
            {
                return;
            }
            seen = value;
            pong.setRelease(value);
        }
    }
}
