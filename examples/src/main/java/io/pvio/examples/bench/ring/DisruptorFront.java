package io.pvio.examples.bench.ring;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import org.agrona.concurrent.IdleStrategy;

/**
 * Front end over two LMAX Disruptor single-producer {@link RingBuffer}s whose preallocated events are the message
 * objects. A batch of requests is claimed with {@code next(count)}, written in place and published once with
 * {@code publish(lo, hi)}. Responses are consumed like a {@code BatchEventProcessor} with a busy-spin wait
 * strategy: read the cursor, process up to a batch of events, then advance this consumer's gating sequence once.
 */
final class DisruptorFront extends RingFront
{
    private final RingBuffer<RequestMessage> requests;
    private final RingBuffer<ResponseMessage> responses;
    private final Sequence responseSequence;
    private long nextResponseSequence;

    DisruptorFront(
        final RingBuffer<RequestMessage> requests,
        final RingBuffer<ResponseMessage> responses,
        final Sequence responseSequence,
        final int windowEntries,
        final int batchSize,
        final IdleStrategy idleStrategy,
        final BackEndControl control)
    {
        super(windowEntries, batchSize, idleStrategy, control);
        this.requests = requests;
        this.responses = responses;
        this.responseSequence = responseSequence;
        this.nextResponseSequence = responseSequence.get() + 1;
    }

    @Override
    void sendBatch(final long firstId, final int count)
    {
        final long hi = requests.next(count);
        final long lo = hi - (count - 1);
        for (long sequence = lo; sequence <= hi; sequence++)
        {
            BlkifWorkload.write(requests.get(sequence), firstId + (sequence - lo));
        }
        // release store of the cursor: the back end sees the events before it sees the cursor.
        requests.publish(lo, hi);
    }

    @Override
    int receiveResponses(final int limit)
    {
        // acquire load of the single producer's cursor: every event up to it is published.
        final long available = responses.getCursor();
        final long next = nextResponseSequence;
        if (available < next)
        {
            return 0;
        }
        final long hi = Math.min(available, next + limit - 1);
        for (long sequence = next; sequence <= hi; sequence++)
        {
            final ResponseMessage message = responses.get(sequence);
            acceptResponse(message.id, message.operation, message.status);
        }
        // release store of our gating sequence: the back end may reuse these events.
        responseSequence.set(hi);
        nextResponseSequence = hi + 1;
        return (int)(hi - next + 1);
    }
}
