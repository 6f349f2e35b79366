package io.pvio.examples.bench.ring;

import io.pvio.examples.notify.Doorbell;
import io.pvio.ring.BackRing;
import io.pvio.ring.blkif.BlkifRequestFlyweight;
import io.pvio.ring.blkif.BlkifResponseFlyweight;
import org.agrona.concurrent.AtomicBuffer;

/**
 * Back end of the pvio ring: reads {@code req_prod} once per group of requests, reads every field of each request
 * once from its slot, writes the response into the same slot (its request is fully read by then), and publishes the
 * batch with one {@code pushResponsesAndCheckNotify()}, kicking the response doorbell when the front end asked for
 * it (event-index suppression) or after every push (no suppression).
 */
final class PvioBackEnd extends RingBackEnd
{
    private final BackRing ring;
    private final AtomicBuffer buffer;
    private final BlkifRequestFlyweight request = new BlkifRequestFlyweight();
    private final BlkifResponseFlyweight response = new BlkifResponseFlyweight();
    private final RequestVerdict verdict = new RequestVerdict();
    private final Doorbell responseDoorbell;
    private final PvioNotification notification;
    private int polledRequests;

    PvioBackEnd(
        final BackRing ring,
        final BackEndControl control,
        final int batchSize,
        final Doorbell responseDoorbell,
        final PvioNotification notification)
    {
        super(control, batchSize, "pvio-bench-backend");
        this.ring = ring;
        this.buffer = ring.sharedRing().buffer();
        this.responseDoorbell = responseDoorbell;
        this.notification = notification;
    }

    @Override
    int answerRequests(final int limit)
    {
        if (polledRequests == 0)
        {
            // acquire load of req_prod, validated against our indices: the request bodies before it are visible.
            polledRequests = ring.pollRequests();
            if (polledRequests == 0)
            {
                return 0;
            }
        }
        final int count = Math.min(polledRequests, limit);
        for (int i = 0; i < count; i++)
        {
            BlkifWorkload.validate(request.wrap(buffer, ring.takeRequest()), verdict);
            response.wrap(buffer, ring.claimResponse()).write(verdict.id, verdict.operation, verdict.status);
        }
        polledRequests -= count;
        // one volatile rsp_prod store per batch: the front end sees every response before rsp_prod; rsp_event after.
        if (notification == PvioNotification.POLLING)
        {
            // release store only: the peer polls and never sleeps, so no event index is read.
            ring.pushResponses();
        }
        else if (ring.pushResponsesAndCheckNotify() || notification == PvioNotification.EVERY_PUSH)
        {
            responseDoorbell.kick();
        }
        return count;
    }
}
