package io.pvio.examples.bench.ring;

import io.pvio.examples.notify.Doorbell;
import io.pvio.ring.FrontRing;
import io.pvio.ring.blkif.BlkifRequestFlyweight;
import io.pvio.ring.blkif.BlkifResponseFlyweight;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * Front end of the pvio ring: requests are written in place into the shared ring's slots through
 * {@link BlkifRequestFlyweight}, a batch is published with one {@code pushRequestsAndCheckNotify()}, and the request
 * doorbell is kicked when the back end asked for it (event-index suppression) or after every push (no suppression).
 * Responses are read in place; {@code rsp_prod} is read once per group of responses taken.
 */
final class PvioFront extends RingFront
{
    private final FrontRing ring;
    private final AtomicBuffer buffer;
    private final BlkifRequestFlyweight request = new BlkifRequestFlyweight();
    private final BlkifResponseFlyweight response = new BlkifResponseFlyweight();
    private final Doorbell requestDoorbell;
    private final PvioNotification notification;
    private int polledResponses;

    PvioFront(
        final FrontRing ring,
        final int windowEntries,
        final int batchSize,
        final IdleStrategy idleStrategy,
        final BackEndControl control,
        final Doorbell requestDoorbell,
        final PvioNotification notification)
    {
        super(windowEntries, batchSize, idleStrategy, control);
        this.ring = ring;
        this.buffer = ring.sharedRing().buffer();
        this.requestDoorbell = requestDoorbell;
        this.notification = notification;
    }

    @Override
    void sendBatch(final long firstId, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            request.wrap(buffer, ring.claimRequest());
            BlkifWorkload.write(request, firstId + i);
        }
        // one volatile req_prod store per batch: the back end sees every body before req_prod; req_event read after.
        if (notification == PvioNotification.POLLING)
        {
            // release store only: the peer polls and never sleeps, so no event index is read.
            ring.pushRequests();
        }
        else if (ring.pushRequestsAndCheckNotify() || notification == PvioNotification.EVERY_PUSH)
        {
            requestDoorbell.kick();
        }
    }

    @Override
    int receiveResponses(final int limit)
    {
        if (polledResponses == 0)
        {
            // acquire load of rsp_prod: the response bodies before it are visible.
            polledResponses = ring.pollResponses();
            if (polledResponses == 0)
            {
                return 0;
            }
        }
        final int count = Math.min(polledResponses, limit);
        for (int i = 0; i < count; i++)
        {
            response.wrap(buffer, ring.takeResponse());
            acceptResponse(response.id(), response.operation(), response.status());
        }
        polledResponses -= count;
        return count;
    }
}
