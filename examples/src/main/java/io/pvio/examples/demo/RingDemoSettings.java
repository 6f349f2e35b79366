package io.pvio.examples.demo;

import io.pvio.ring.SringDescriptor;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** What the ring demo runs; validated on construction. */
public final class RingDemoSettings
{
    private final long requests;
    private final int ringPageOrder;
    private final boolean suppression;
    private final int narratedBatchesPerSide;
    private final Path ringFile;
    private final long timeoutNs;

    /**
     * @param requests               round trips, at least 1.
     * @param ringPageOrder          ring of 2^order pages, 0..4 (Linux blkback's maximum).
     * @param suppression            Xen's event-index notification suppression, or a kick after every batch.
     * @param narratedBatchesPerSide batches narrated per side, 0 or more.
     * @param ringFile               where to create the ring (must not exist), or null for a temporary file.
     * @param timeoutSeconds         give up after this long, at least 1.
     */
    public RingDemoSettings(
        final long requests,
        final int ringPageOrder,
        final boolean suppression,
        final int narratedBatchesPerSide,
        final Path ringFile,
        final long timeoutSeconds)
    {
        if (requests < 1)
        {
            throw new IllegalArgumentException("requests must be at least 1: " + requests);
        }
        if (ringPageOrder < 0 || ringPageOrder > 4)
        {
            throw new IllegalArgumentException("ring page order must be 0..4: " + ringPageOrder);
        }
        SringDescriptor.checkRingPageOrder(ringPageOrder);
        if (narratedBatchesPerSide < 0)
        {
            throw new IllegalArgumentException("narrated batches must not be negative: " + narratedBatchesPerSide);
        }
        if (timeoutSeconds < 1)
        {
            throw new IllegalArgumentException("timeout must be at least 1 s: " + timeoutSeconds);
        }
        this.requests = requests;
        this.ringPageOrder = ringPageOrder;
        this.suppression = suppression;
        this.narratedBatchesPerSide = narratedBatchesPerSide;
        this.ringFile = ringFile;
        this.timeoutNs = TimeUnit.SECONDS.toNanos(timeoutSeconds);
    }

    public long requests()
    {
        return requests;
    }

    public int ringPageOrder()
    {
        return ringPageOrder;
    }

    public boolean suppression()
    {
        return suppression;
    }

    public int narratedBatchesPerSide()
    {
        return narratedBatchesPerSide;
    }

    public Path ringFile()
    {
        return ringFile;
    }

    public long timeoutNs()
    {
        return timeoutNs;
    }
}
