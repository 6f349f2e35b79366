package io.pvio.frontend.block;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * The request objects of one device, reused so that the data path allocates nothing once warm: a submitter (any
 * thread) {@link #claim claims} one, the agent completes it and, being then its only holder, {@link #complete
 * recycles} it. A request completed by anyone else (a submitter failing it because the device closed under it) is
 * not recycled: nobody can tell when every holder is done with it, so it is left to the garbage collector.
 * <p>
 * The pool is bounded: with more requests live than it holds, the surplus is allocated and, once completed, dropped.
 */
final class BlkfrontRequestPool
{
    /** Requests kept for reuse: beyond a device's deepest queue (16 rings of 512) for most loads. */
    static final int CAPACITY = 1024;

    private final ManyToManyConcurrentArrayQueue<BlkfrontRequest> free = new ManyToManyConcurrentArrayQueue<>(CAPACITY);
    private final ErrorHandler errorHandler;

    BlkfrontRequestPool(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
    }

    /** A request for one use (any thread): reused if one is free, else new. */
    BlkfrontRequest claim(
        final int operation, final long sector, final BlockBuffer buffer, final long discardSectors,
        final BlockCompletion completion)
    {
        BlkfrontRequest request = free.poll();
        if (request == null)
        {
            request = new BlkfrontRequest();
        }
        request.pooled = false;
        request.init(operation, sector, buffer, discardSectors, completion);
        return request;
    }

    /**
     * Completes {@code request} with {@code status} on the agent thread, which holds it and nothing else does (it is
     * off every ring and queue), then takes it back for reuse. Does nothing if its submitter completed it already.
     */
    void complete(final BlkfrontRequest request, final int status)
    {
        if (request.pooled)
        {
            errorHandler.onError(new IllegalStateException("a request in the pool was completed again: ignored"));
            return;
        }
        if (completeOnce(request, request.ticket(), status, errorHandler))
        {
            request.reset();
            request.pooled = true;
            // the next claimer sees it reset: the queue's offer is a release, its poll an acquire
            free.offer(request);
        }
    }

    /**
     * {@link #complete}, except that what escapes it (a {@link VirtualMachineError} from the callback, or whatever an
     * error handler throws) is handed back instead of thrown, so that a caller failing many requests completes the
     * rest before it throws: it passes the one held so far and gets back the first (nothing is allocated).
     *
     * @return {@code held}, or what this completion threw if nothing was held.
     */
    Throwable completeHolding(final BlkfrontRequest request, final int status, final Throwable held)
    {
        try
        {
            complete(request, status);
            return held;
        }
        catch (final Throwable ex)
        {
            return held != null ? held : ex;
        }
    }

    /**
     * Runs the completion of the use {@code ticket} names, unless that use was completed already (or the request
     * moved on to another use). Whatever the callback throws goes to {@code errorHandler} and the device goes on (an
     * {@link AssertionError} in a test's callback included), except a {@link VirtualMachineError}, after which the JVM
     * may be in no state to go on: that one is thrown on, and on the agent thread stops the device
     * ({@link BlkfrontEngine#doWork}), failing every request left.
     *
     * @return whether this call ran it.
     */
    static boolean completeOnce(
        final BlkfrontRequest request, final long ticket, final int status, final ErrorHandler errorHandler)
    {
        if (!request.markCompleted(ticket))
        {
            return false; // completed by whoever got there first
        }
        try
        {
            request.completion.onComplete(status);
        }
        catch (final VirtualMachineError ex)
        {
            throw ex;
        }
        catch (final RuntimeException | Error ex)
        {
            errorHandler.onError(ex);
        }
        return true;
    }
}
