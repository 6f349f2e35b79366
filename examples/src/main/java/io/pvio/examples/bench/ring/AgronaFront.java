package io.pvio.examples.bench.ring;

import io.pvio.ring.blkif.BlkifRequestFlyweight;
import io.pvio.ring.blkif.BlkifResponseFlyweight;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * Front end over two Agrona {@link OneToOneRingBuffer}s. Each request is written in place into its record with the
 * same {@link BlkifRequestFlyweight} as the pvio ring, via {@code tryClaim}/{@code commit}: Agrona has no batch
 * publish, so every record is committed on its own. Responses are taken with {@code read(handler, limit)}, which
 * consumes up to a batch with one head update.
 */
final class AgronaFront extends RingFront implements MessageHandler
{
    private final OneToOneRingBuffer requests;
    private final OneToOneRingBuffer responses;
    private final AtomicBuffer requestBuffer;
    private final AtomicBuffer responseBuffer;
    private final BlkifRequestFlyweight request = new BlkifRequestFlyweight();
    private final BlkifResponseFlyweight response = new BlkifResponseFlyweight();
    private final int requestBytes;

    AgronaFront(
        final OneToOneRingBuffer requests,
        final OneToOneRingBuffer responses,
        final int requestBytes,
        final int windowEntries,
        final int batchSize,
        final IdleStrategy idleStrategy,
        final BackEndControl control)
    {
        super(windowEntries, batchSize, idleStrategy, control);
        this.requests = requests;
        this.responses = responses;
        this.requestBuffer = requests.buffer();
        this.responseBuffer = responses.buffer();
        this.requestBytes = requestBytes;
    }

    @Override
    void sendBatch(final long firstId, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final int index = requests.tryClaim(AgronaRings.REQUEST_MSG_TYPE_ID, requestBytes);
            if (index < 0)
            {
                throw new IllegalStateException("request ring buffer full despite the in-flight window");
            }
            request.wrap(requestBuffer, index);
            BlkifWorkload.write(request, firstId + i);
            // ordered store of the record length: the back end sees the body once it sees the record.
            requests.commit(index);
        }
    }

    @Override
    int receiveResponses(final int limit)
    {
        return responses.read(this, limit);
    }

    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        response.wrap(responseBuffer, index);
        acceptResponse(response.id(), response.operation(), response.status());
    }
}
