package io.pvio.examples.bench.ring;

import java.util.ArrayList;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Back end over two {@link ArrayBlockingQueue}s: {@code drainTo(list, limit)} takes up to a batch of requests under
 * one lock acquisition, each is validated into the next pooled response, and each response is offered on its own
 * (the queue has no batch publish).
 */
final class AbqBackEnd extends RingBackEnd
{
    private final ArrayBlockingQueue<RequestMessage> requests;
    private final ArrayBlockingQueue<ResponseMessage> responses;
    private final ResponseMessage[] responsePool;
    private final int poolMask;
    private final ArrayList<RequestMessage> taken;
    private final RequestVerdict verdict = new RequestVerdict();
    private long responseCount;

    AbqBackEnd(
        final ArrayBlockingQueue<RequestMessage> requests,
        final ArrayBlockingQueue<ResponseMessage> responses,
        final int poolEntries,
        final BackEndControl control,
        final int batchSize)
    {
        super(control, batchSize, "abq-bench-backend");
        this.requests = requests;
        this.responses = responses;
        this.responsePool = ResponseMessage.pool(poolEntries);
        this.poolMask = poolEntries - 1;
        this.taken = new ArrayList<>(batchSize);
    }

    @Override
    int answerRequests(final int limit)
    {
        final int count = requests.drainTo(taken, limit);
        for (int i = 0; i < count; i++)
        {
            BlkifWorkload.validate(taken.get(i), verdict);
            final ResponseMessage response = responsePool[(int)responseCount++ & poolMask];
            response.write(verdict);
            if (!responses.offer(response))
            {
                throw new IllegalStateException("response queue full despite the in-flight window");
            }
        }
        taken.clear();
        return count;
    }
}
