package io.pvio.examples.bench.ring;

import org.agrona.concurrent.IdleStrategy;

import java.util.ArrayList;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Front end over two {@link ArrayBlockingQueue}s of pooled message objects. The queue has no batch publish, so each
 * request is offered on its own (one lock acquisition each); responses are taken with {@code drainTo(list, limit)},
 * one lock acquisition per batch, into a preallocated list.
 */
final class AbqFront extends RingFront
{
    private final ArrayBlockingQueue<RequestMessage> requests;
    private final ArrayBlockingQueue<ResponseMessage> responses;
    private final RequestMessage[] requestPool;
    private final int poolMask;
    private final ArrayList<ResponseMessage> received;

    AbqFront(
        final ArrayBlockingQueue<RequestMessage> requests,
        final ArrayBlockingQueue<ResponseMessage> responses,
        final int poolEntries,
        final int windowEntries,
        final int batchSize,
        final IdleStrategy idleStrategy,
        final BackEndControl control)
    {
        super(windowEntries, batchSize, idleStrategy, control);
        this.requests = requests;
        this.responses = responses;
        this.requestPool = RequestMessage.pool(poolEntries);
        this.poolMask = poolEntries - 1;
        this.received = new ArrayList<>(batchSize);
    }

    @Override
    void sendBatch(final long firstId, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final long id = firstId + i;
            final RequestMessage message = requestPool[(int)id & poolMask];
            BlkifWorkload.write(message, id);
            if (!requests.offer(message))
            {
                throw new IllegalStateException("request queue full despite the in-flight window");
            }
        }
    }

    @Override
    int receiveResponses(final int limit)
    {
        final int count = responses.drainTo(received, limit);
        for (int i = 0; i < count; i++)
        {
            final ResponseMessage message = received.get(i);
            acceptResponse(message.id, message.operation, message.status);
        }
        received.clear();
        return count;
    }
}
