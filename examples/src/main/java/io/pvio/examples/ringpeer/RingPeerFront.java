package io.pvio.examples.ringpeer;

import io.pvio.ring.blkif.BlkifConformancePattern;
import io.pvio.ring.FrontRing;
import io.pvio.ring.RingOverflowException;
import io.pvio.ring.blkif.BlkifRequestFlyweight;
import io.pvio.ring.blkif.BlkifResponseFlyweight;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_READ;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;

/**
 * Data path of {@code pvio ring-peer --role front}: sends {@code requestCount} well-formed READ and WRITE requests
 * ({@link BlkifConformancePattern}: distinct ids, every field derived from the id), keeping as many in flight as the ring
 * holds, and checks every response: its id was issued and is still outstanding, it echoes the request's operation,
 * and its status is {@code BLKIF_RSP_OKAY}. The first violation, or a response producer index the ring rejects,
 * ends the exchange as failed.
 * <p>
 * Single-threaded; {@link #doWork()} allocates nothing (outstanding ids live in a set sized for a full ring that
 * never grows) except to describe a failure.
 */
public final class RingPeerFront implements RingPeer
{
    private final FrontRing front;
    private final AtomicBuffer buffer;
    private final long requestCount;
    private final BlkifRequestFlyweight request = new BlkifRequestFlyweight();
    private final BlkifResponseFlyweight response = new BlkifResponseFlyweight();
    private final LongHashSet outstandingIds;
    private long sent;
    private long received;
    private long reads;
    private long notificationsDue;
    private PushListener pushListener = PushListener.NONE;
    private String failure;

    /**
     * @param front        the front end's view of an attached or freshly initialised ring.
     * @param requestCount round trips to make, at least 1.
     */
    public RingPeerFront(final FrontRing front, final long requestCount)
    {
        if (requestCount <= 0)
        {
            throw new IllegalArgumentException("request count must be positive: " + requestCount);
        }
        this.front = front;
        this.buffer = front.sharedRing().buffer();
        this.requestCount = requestCount;
        // never more than size() ids outstanding: at 4 x size the set stays under its load factor and never resizes.
        this.outstandingIds = new LongHashSet(4 * front.size());
    }

    /** Sets who is told of each published batch (default {@link PushListener#NONE}); call before the first doWork. */
    public RingPeerFront pushListener(final PushListener listener)
    {
        this.pushListener = listener;
        return this;
    }

    @Override
    public String roleName()
    {
        return "ring-peer-front";
    }

    @Override
    public int doWork()
    {
        if (isDone())
        {
            return 0;
        }
        try
        {
            return sendRequests() + collectResponses();
        }
        catch (final RingOverflowException ex)
        {
            fail(ex.getMessage());
            return 1;
        }
    }

    private int sendRequests()
    {
        int claimed = 0;
        while (sent < requestCount && !front.isFull())
        {
            final long id = BlkifConformancePattern.id(sent);
            request.wrap(buffer, front.claimRequest());
            BlkifConformancePattern.write(request, id);
            outstandingIds.add(id);
            if (BlkifConformancePattern.operation(id) == BLKIF_OP_READ)
            {
                reads++;
            }
            sent++;
            claimed++;
        }
        // batch, then publish once; the listener decides where a requested notification goes
        if (claimed > 0)
        {
            final boolean notifyRequired = front.pushRequestsAndCheckNotify();
            if (notifyRequired)
            {
                notificationsDue++;
            }
            pushListener.onPush(claimed, notifyRequired);
        }
        return claimed;
    }

    private int collectResponses()
    {
        final int available = front.pollResponses();
        for (int i = 0; i < available; i++)
        {
            if (!checkResponse(front.takeResponse()))
            {
                return i + 1;
            }
            received++;
        }
        return available;
    }

    private boolean checkResponse(final int offset)
    {
        response.wrap(buffer, offset);
        // read each field exactly once: the back end can rewrite the slot at any time
        final long id = response.id();
        final int operation = response.operation();
        final int status = response.status();
        if (!outstandingIds.remove(id))
        {
            fail("response " + (received + 1) + " of " + requestCount + " has id 0x" + Long.toHexString(id) +
                ", which was never issued or was already answered");
            return false;
        }
        final int expectedOperation = BlkifConformancePattern.operation(id);
        if (operation != expectedOperation)
        {
            fail("response to request 0x" + Long.toHexString(id) + " echoes operation " + operation +
                " but the request was operation " + expectedOperation);
            return false;
        }
        if (status != BLKIF_RSP_OKAY)
        {
            fail("request 0x" + Long.toHexString(id) + " failed with status " + status);
            return false;
        }
        return true;
    }

    private void fail(final String message)
    {
        if (failure == null)
        {
            failure = message;
        }
    }

    @Override
    public boolean finalCheck()
    {
        if (isDone())
        {
            return false;
        }
        try
        {
            // a request can still be sent, or a response raced in after rsp_event was armed
            return (sent < requestCount && !front.isFull()) || front.finalCheckForResponses();
        }
        catch (final RingOverflowException ex)
        {
            fail(ex.getMessage());
            return true;
        }
    }

    @Override
    public boolean isDone()
    {
        return failure != null || received == requestCount;
    }

    @Override
    public String failure()
    {
        return failure;
    }

    @Override
    public String summary()
    {
        return "ring-peer front: " + received + " of " + requestCount + " round trips correct (" + reads +
            " reads, " + (sent - reads) + " writes, up to " + front.size() + " in flight; the back end asked for " +
            notificationsDue + " notifications)";
    }

    @Override
    public String progress()
    {
        return sent + " of " + requestCount + " requests sent, " + received + " responses checked";
    }

    public long requestsSent()
    {
        return sent;
    }

    public long responsesReceived()
    {
        return received;
    }
}
