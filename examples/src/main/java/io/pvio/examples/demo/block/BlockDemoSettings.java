package io.pvio.examples.demo.block;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What the block demo runs; validated on construction, with messages that name the command's options.
 *
 * @param requests       writes, each read back by one read (and one flush in between); 1..100,000.
 * @param sizeMib        the disk image's size in MiB, 1..65,536; the requests must fit on it.
 * @param image          where to create the image (must not exist; kept afterwards), or {@code null} for a
 *                       temporary file deleted at the end.
 * @param narrated       writes and reads told step by step (the first ones of each), 0 or more.
 * @param quiet          print only the summary and the verdict.
 * @param timeoutSeconds give up after this long, at least 1.
 */
public record BlockDemoSettings(
    int requests, int sizeMib, Path image, int narrated, boolean quiet, long timeoutSeconds)
{
    public static final int MAX_REQUESTS = 100_000;
    public static final int MAX_SIZE_MIB = 65_536;

    public BlockDemoSettings
    {
        if (requests < 1 || requests > MAX_REQUESTS)
        {
            throw new IllegalArgumentException("--requests must be in 1.." + MAX_REQUESTS + ": " + requests);
        }
        if (sizeMib < 1 || sizeMib > MAX_SIZE_MIB)
        {
            throw new IllegalArgumentException("--size-mib must be in 1.." + MAX_SIZE_MIB + ": " + sizeMib);
        }
        if (narrated < 0)
        {
            throw new IllegalArgumentException("--narrate must not be negative: " + narrated);
        }
        if (timeoutSeconds < 1)
        {
            throw new IllegalArgumentException("--timeout-seconds must be at least 1: " + timeoutSeconds);
        }
        final DemoRequestPlan plan = new DemoRequestPlan(requests);
        final long neededMib = (plan.totalBytes() + (1 << 20) - 1) >> 20;
        if (neededMib > sizeMib)
        {
            throw new IllegalArgumentException("--requests " + requests + " write " + RequestStory.bytes(
                plan.totalBytes()) + ", more than a " + sizeMib + " MiB disk holds: use --size-mib " + neededMib +
                " or more, or fewer requests");
        }
        if (image != null && Files.exists(image))
        {
            throw new IllegalArgumentException("--image " + image + " already exists (the demo creates a fresh " +
                "image and writes over it): remove it or choose another path");
        }
    }

    /** The default run: 256 writes (20.8 MiB) on a 64 MiB temporary image, 3 of each told step by step. */
    public static BlockDemoSettings defaults()
    {
        return new BlockDemoSettings(256, 64, null, 3, false, 60);
    }

    public DemoRequestPlan plan()
    {
        return new DemoRequestPlan(requests);
    }

    public long sizeBytes()
    {
        return (long)sizeMib << 20;
    }

    public long timeoutNs()
    {
        return TimeUnit.SECONDS.toNanos(timeoutSeconds);
    }
}
