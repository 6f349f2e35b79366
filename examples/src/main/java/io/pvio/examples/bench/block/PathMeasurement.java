package io.pvio.examples.bench.block;

/**
 * What one path did in a workload's measured window.
 *
 * @param requests     requests completed in the window.
 * @param elapsedNs    the window's length as measured.
 * @param requestBytes bytes per request.
 * @param storageCallNs the mean time of the path's storage calls in the window, from a sample of them
 *                      ({@link StorageCallSampler}); NaN if none was timed.
 */
record PathMeasurement(long requests, long elapsedNs, int requestBytes, double storageCallNs)
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

    /** A window whose storage calls were not timed. */
    PathMeasurement(final long requests, final long elapsedNs, final int requestBytes)
    {
        this(requests, elapsedNs, requestBytes, Double.NaN);
    }

    /**
     * How long each of the path's {@code threads} I/O threads spent per request it performed, in ns: the window
     * times the threads, over the requests completed.
     */
    double ioThreadNsPerRequest(final int threads)
    {
        return (double)elapsedNs * threads / requests;
    }

    /**
     * Of {@link #ioThreadNsPerRequest}, what was not the storage call: on the PV path, everything blkback's thread
     * does around it (the ring, the checks, the grants, the responses) and the time it waited for requests; on the
     * native path, its own queue and counting. NaN if the calls were not timed.
     */
    double restNsPerRequest(final int threads)
    {
        return ioThreadNsPerRequest(threads) - storageCallNs;
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
