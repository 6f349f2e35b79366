package io.pvio.examples.bench.block;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bookkeeping of one closed-loop run, shared by both paths: a fixed number of request slots, each issued again
 * as soon as it completes, until {@link #stop} is called. Request numbers come from one counter, so whichever slot
 * or thread issues next takes the next offset of {@link RequestOffsets}. Thread-safe: completions may arrive on
 * any thread.
 */
final class ClosedLoop
{
    private final RequestOffsets offsets;
    private final AtomicLong nextIndex = new AtomicLong();
    private final LongAdder completed = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private volatile boolean stopping;

    ClosedLoop(final RequestOffsets offsets)
    {
        this.offsets = offsets;
    }

    /** A slot goes out for the first time. */
    void slotStarted()
    {
        inFlight.incrementAndGet();
    }

    /** The next request's byte offset. */
    long nextOffsetBytes()
    {
        return offsets.offsetBytes(nextIndex.getAndIncrement());
    }

    /** One request finished successfully. */
    void completed()
    {
        completed.increment();
    }

    /** Whether a completed slot should be issued again. */
    boolean isRunning()
    {
        return !stopping && failure.get() == null;
    }

    /** A slot is not issued again. */
    void slotRetired()
    {
        inFlight.decrementAndGet();
    }

    /** The first failure is kept; the loop stops issuing. */
    void fail(final String reason)
    {
        failure.compareAndSet(null, reason);
    }

    /** Requests completed so far. */
    long completedCount()
    {
        return completed.sum();
    }

    /** Why the run failed, or {@code null}. */
    String failure()
    {
        return failure.get();
    }

    /** Stops issuing and waits until every slot retired. */
    void stop(final long timeoutNs) throws InterruptedException
    {
        stopping = true;
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (inFlight.get() > 0)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail(inFlight.get() + " requests still in flight " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) +
                    " ms after the run stopped");
                return;
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    boolean isStopping()
    {
        return stopping;
    }
}
