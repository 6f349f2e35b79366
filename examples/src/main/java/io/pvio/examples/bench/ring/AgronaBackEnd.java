package io.pvio.examples.bench.ring;

import io.pvio.ring.blkif.BlkifRequestFlyweight;
import io.pvio.ring.blkif.BlkifResponseFlyweight;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * Back end over two Agrona {@link OneToOneRingBuffer}s: {@code read(handler, limit)} takes up to a batch of request
 * records (one head update), each read once through {@link BlkifRequestFlyweight} into a private verdict; after the
 * read the responses are written with {@code tryClaim}/{@code commit}, one commit each (no batch publish).
 */
final class AgronaBackEnd extends RingBackEnd implements MessageHandler
{
    private final OneToOneRingBuffer requests;
    private final OneToOneRingBuffer responses;
    private final AtomicBuffer requestBuffer;
    private final AtomicBuffer responseBuffer;
    private final BlkifRequestFlyweight request = new BlkifRequestFlyweight();
    private final BlkifResponseFlyweight response = new BlkifResponseFlyweight();
    private final RequestVerdict[] verdicts;
    private final int responseBytes;
    private int verdictCount;

    AgronaBackEnd(
        final OneToOneRingBuffer requests,
        final OneToOneRingBuffer responses,
        final int responseBytes,
        final BackEndControl control,
        final int batchSize)
    {
        super(control, batchSize, "agrona-bench-backend");
        this.requests = requests;
        this.responses = responses;
        this.requestBuffer = requests.buffer();
        this.responseBuffer = responses.buffer();
        this.responseBytes = responseBytes;
        this.verdicts = new RequestVerdict[batchSize];
        for (int i = 0; i < batchSize; i++)
        {
            verdicts[i] = new RequestVerdict();
        }
    }

    @Override
    int answerRequests(final int limit)
    {
        verdictCount = 0;
        final int count = requests.read(this, limit);
        for (int i = 0; i < count; i++)
        {
            final RequestVerdict verdict = verdicts[i];
            final int index = responses.tryClaim(AgronaRings.RESPONSE_MSG_TYPE_ID, responseBytes);
            if (index < 0)
            {
                throw new IllegalStateException("response ring buffer full despite the in-flight window");
            }
            response.wrap(responseBuffer, index).write(verdict.id, verdict.operation, verdict.status);
            // ordered store of the record length: the front end sees the body once it sees the record.
            responses.commit(index);
        }
        return count;
    }

    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        BlkifWorkload.validate(request.wrap(requestBuffer, index), verdicts[verdictCount++]);
    }
}
