package io.pvio.backend.block;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What one blkback ring has done, for tests and tools. Single writer (the ring's agent, release stores); any thread
 * may read.
 */
public final class BlkbackCounters
{
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong notifications = new AtomicLong();
    private final AtomicLong errorResponses = new AtomicLong();
    private final AtomicLong unsupportedResponses = new AtomicLong();

    /** Requests answered. */
    public long requests()
    {
        return requests.get();
    }

    /** Batches drained: each ends with one push of responses. */
    public long batches()
    {
        return batches.get();
    }

    /** Events sent to the front end: at most one per batch. */
    public long notifications()
    {
        return notifications.get();
    }

    /** Requests answered {@code BLKIF_RSP_ERROR}. */
    public long errorResponses()
    {
        return errorResponses.get();
    }

    /** Requests answered {@code BLKIF_RSP_EOPNOTSUPP}. */
    public long unsupportedResponses()
    {
        return unsupportedResponses.get();
    }

    void addRequest()
    {
        increment(requests);
    }

    void addBatch()
    {
        increment(batches);
    }

    void addNotification()
    {
        increment(notifications);
    }

    void addErrorResponse()
    {
        increment(errorResponses);
    }

    void addUnsupportedResponse()
    {
        increment(unsupportedResponses);
    }

    private static void increment(final AtomicLong counter)
    {
        // single writer: readers see whole values, in order
        counter.setRelease(counter.getPlain() + 1);
    }

    @Override
    public String toString()
    {
        return "BlkbackCounters{requests=" + requests() + ", batches=" + batches() + ", notifications=" +
            notifications() + ", errors=" + errorResponses() + ", unsupported=" + unsupportedResponses() + "}";
    }
}
