package io.pvio.examples.bench.ring;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.SpscArrayQueue;

/**
 * Back end over two JCTools {@link SpscArrayQueue}s: {@code drain(consumer, limit)} takes up to a batch of requests,
 * each validated into the next pooled response; then {@code fill(supplier, count)} publishes them.
 */
final class JctoolsBackEnd extends RingBackEnd
    implements MessagePassingQueue.Consumer<RequestMessage>, MessagePassingQueue.Supplier<ResponseMessage>
{
    private final SpscArrayQueue<RequestMessage> requests;
    private final SpscArrayQueue<ResponseMessage> responses;
    private final ResponseMessage[] responsePool;
    private final int poolMask;
    private final RequestVerdict verdict = new RequestVerdict();
    private long preparedCount;
    private long publishedCount;

    JctoolsBackEnd(
        final SpscArrayQueue<RequestMessage> requests,
        final SpscArrayQueue<ResponseMessage> responses,
        final int poolEntries,
        final BackEndControl control,
        final int batchSize)
    {
        super(control, batchSize, "jctools-bench-backend");
        this.requests = requests;
        this.responses = responses;
        this.responsePool = ResponseMessage.pool(poolEntries);
        this.poolMask = poolEntries - 1;
    }

    @Override
    int answerRequests(final int limit)
    {
        final int count = requests.drain(this, limit);
        while (publishedCount != preparedCount)
        {
            responses.fill(this, (int)(preparedCount - publishedCount));
        }
        return count;
    }

    @Override
    public void accept(final RequestMessage message)
    {
        BlkifWorkload.validate(message, verdict);
        responsePool[(int)preparedCount++ & poolMask].write(verdict);
    }

    @Override
    public ResponseMessage get()
    {
        return responsePool[(int)publishedCount++ & poolMask];
    }
}
