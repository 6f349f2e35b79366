package io.pvio.examples.bench.ring;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;

/**
 * Back end over two LMAX Disruptor single-producer {@link RingBuffer}s: it consumes up to a batch of request events
 * (cursor read once, gating sequence advanced once), claims as many response events with {@code next(count)},
 * writes them and publishes them with one {@code publish(lo, hi)}.
 */
final class DisruptorBackEnd extends RingBackEnd
{
    private final RingBuffer<RequestMessage> requests;
    private final RingBuffer<ResponseMessage> responses;
    private final Sequence requestSequence;
    private final RequestVerdict verdict = new RequestVerdict();
    private long nextRequestSequence;

    DisruptorBackEnd(
        final RingBuffer<RequestMessage> requests,
        final RingBuffer<ResponseMessage> responses,
        final Sequence requestSequence,
        final BackEndControl control,
        final int batchSize)
    {
        super(control, batchSize, "disruptor-bench-backend");
        this.requests = requests;
        this.responses = responses;
        this.requestSequence = requestSequence;
        this.nextRequestSequence = requestSequence.get() + 1;
    }

    @Override
    int answerRequests(final int limit)
    {
        // acquire load of the single producer's cursor: every event up to it is published.
        final long available = requests.getCursor();
        final long next = nextRequestSequence;
        if (available < next)
        {
            return 0;
        }
        final long hi = Math.min(available, next + limit - 1);
        final int count = (int)(hi - next + 1);
        final long responseHi = responses.next(count);
        final long responseLo = responseHi - (count - 1);
        for (long offset = 0; offset < count; offset++)
        {
            BlkifWorkload.validate(requests.get(next + offset), verdict);
            responses.get(responseLo + offset).write(verdict);
        }
        // release store of our gating sequence: the front end may reuse these request events.
        requestSequence.set(hi);
        nextRequestSequence = hi + 1;
        // release store of the response cursor: the front end sees the events before it sees the cursor.
        responses.publish(responseLo, responseHi);
        return count;
    }
}
