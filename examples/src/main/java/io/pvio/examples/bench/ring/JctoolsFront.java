package io.pvio.examples.bench.ring;

import org.agrona.concurrent.IdleStrategy;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.SpscArrayQueue;

/**
 * Front end over two JCTools {@link SpscArrayQueue}s of pooled message objects. A batch of requests is written and
 * published with {@code fill(supplier, count)}; responses are taken with {@code drain(consumer, limit)}.
 */
final class JctoolsFront extends RingFront
    implements MessagePassingQueue.Supplier<RequestMessage>, MessagePassingQueue.Consumer<ResponseMessage>
{
    private final SpscArrayQueue<RequestMessage> requests;
    private final SpscArrayQueue<ResponseMessage> responses;
    private final RequestMessage[] requestPool;
    private final int poolMask;
    private long fillId;

    JctoolsFront(
        final SpscArrayQueue<RequestMessage> requests,
        final SpscArrayQueue<ResponseMessage> responses,
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
    }

    @Override
    void sendBatch(final long firstId, final int count)
    {
        fillId = firstId;
        int filled = 0;
        while (filled < count)
        {
            filled += requests.fill(this, count - filled);
        }
    }

    /** Supplies the next request of the batch being filled, written in full. */
    @Override
    public RequestMessage get()
    {
        final long id = fillId++;
        final RequestMessage message = requestPool[(int)id & poolMask];
        BlkifWorkload.write(message, id);
        return message;
    }

    @Override
    int receiveResponses(final int limit)
    {
        return responses.drain(this, limit);
    }

    @Override
    public void accept(final ResponseMessage message)
    {
        acceptResponse(message.id, message.operation, message.status);
    }
}
