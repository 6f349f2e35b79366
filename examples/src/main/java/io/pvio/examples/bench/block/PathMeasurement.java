package io.pvio.examples.bench.block;

/**
 * What one path did in a workload's measured window.
 *
 * @param requests     requests completed in the window.
 * @param elapsedNs    the window's length as measured.
 * @param requestBytes bytes per request.
 */
record PathMeasurement(long requests, long elapsedNs, int requestBytes)
{
    /** One megabyte, as in MB/s: 10^6 bytes. */
    static final double MB = 1e6;

    PathMeasurement
    {
        if (requests <= 0 || elapsedNs <= 0)
        {
            throw new IllegalArgumentException("a measurement needs completed requests in a positive window: " +
                requests + " in " + elapsedNs + " ns");
        }
    }

    /** Requests per second. */
    double iops()
    {
        return requests * 1e9 / elapsedNs;
    }

    /** Megabytes (10^6 bytes) per second. */
    double mbps()
    {
        return iops() * requestBytes / MB;
    }
}
