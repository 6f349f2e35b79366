package io.pvio.examples.bench.ring;

import org.agrona.concurrent.IdleStrategy;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;

/**
 * The front end of a benchmarked ring, run by the benchmark thread: it keeps up to {@code windowEntries} requests
 * in flight, sends them in batches of {@code batchSize} (one publish per batch), receives up to {@code batchSize}
 * responses at a time and checks each one: it must answer the oldest outstanding request (every ring here is FIFO),
 * echo its operation and report success.
 * <p>
 * {@link #completePair()} accounts for exactly one request/response pair per call, so a JMH throughput score is
 * pairs per second. Subclasses supply the ring-specific send and receive; nothing on this path allocates.
 */
abstract class RingFront
{
    private final int windowEntries;
    private final int batchSize;
    private final IdleStrategy idleStrategy;
    private final BackEndControl control;
    private long nextRequestId;
    private long nextResponseId;
    private int receivedUncounted;

    /**
     * @param windowEntries most requests in flight: the ring's capacity (32 or 512), or 1 for round trips.
     * @param batchSize     requests per publish and most responses taken per receive.
     * @param idleStrategy  how to wait for responses.
     * @param control       the back end's state, checked while waiting.
     */
    RingFront(
        final int windowEntries, final int batchSize, final IdleStrategy idleStrategy, final BackEndControl control)
    {
        if (batchSize < 1 || batchSize > windowEntries)
        {
            throw new IllegalArgumentException(
                "batch size must be in 1.." + windowEntries + " (the in-flight window): " + batchSize);
        }
        this.windowEntries = windowEntries;
        this.batchSize = batchSize;
        this.idleStrategy = idleStrategy;
        this.control = control;
    }

    /**
     * Completes one request/response pair. When the responses already received are used up, refills the window
     * with whole batches of requests and waits for the next responses.
     *
     * @return the id of the request whose response was counted.
     */
    final long completePair()
    {
        if (receivedUncounted == 0)
        {
            sendWhileWindowAllows();
            receivedUncounted = awaitResponses();
        }
        receivedUncounted--;
        return nextResponseId - receivedUncounted - 1;
    }

    /** Receives every outstanding response, so the ring is empty and the back end can pause. */
    final void drain()
    {
        while (nextResponseId != nextRequestId)
        {
            awaitResponses();
        }
        receivedUncounted = 0;
    }

    /** Requests sent since the start. */
    final long requestsSent()
    {
        return nextRequestId;
    }

    /** Responses received and checked since the start. */
    final long responsesReceived()
    {
        return nextResponseId;
    }

    final int batchSize()
    {
        return batchSize;
    }

    /**
     * Publishes requests {@code firstId .. firstId + count - 1} with one publish (where the ring has batch publish),
     * writing every field of each. The window guarantees room for all of them.
     */
    abstract void sendBatch(long firstId, int count);

    /**
     * Takes up to {@code limit} responses without waiting, passing each to {@link #acceptResponse}.
     *
     * @return responses taken.
     */
    abstract int receiveResponses(int limit);

    /** Checks one received response; any mismatch is a broken ring and fails the benchmark. */
    final void acceptResponse(final long id, final int operation, final int status)
    {
        final long expectedId = nextResponseId;
        if (id != expectedId || operation != BlkifWorkload.operation(expectedId) || status != BLKIF_RSP_OKAY)
        {
            throw new IllegalStateException("bad response: id=" + id + " operation=" + operation +
                " status=" + status + ", expected id=" + expectedId + " operation=" +
                BlkifWorkload.operation(expectedId) + " status=" + BLKIF_RSP_OKAY);
        }
        nextResponseId = expectedId + 1;
    }

    private void sendWhileWindowAllows()
    {
        while (windowEntries - (int)(nextRequestId - nextResponseId) >= batchSize)
        {
            sendBatch(nextRequestId, batchSize);
            nextRequestId += batchSize;
        }
    }

    private int awaitResponses()
    {
        int received;
        while ((received = receiveResponses(batchSize)) == 0)
        {
            control.checkBackEnd();
            idleStrategy.idle();
        }
        idleStrategy.reset();
        return received;
    }
}
