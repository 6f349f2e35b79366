package io.pvio.examples.ringpeer;

import io.pvio.ring.BackRing;
import io.pvio.ring.RingOverflowException;
import io.pvio.ring.blkif.BlkifAbi;
import io.pvio.ring.blkif.BlkifRequest;
import io.pvio.ring.blkif.BlkifRequestError;
import io.pvio.ring.blkif.BlkifResponseFlyweight;
import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_ERROR;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;

/**
 * Data path of {@code pvio ring-peer --role back}: serves exactly {@code requestCount} requests. Each is copied out
 * of the ring once ({@link BlkifRequest#copyFrom}, XSA-155) and only the copy is validated
 * ({@link BlkifRequest#validate()}); a valid request is answered {@code BLKIF_RSP_OKAY}, an invalid one
 * {@code BLKIF_RSP_ERROR}, both echoing id and operation. Invalid requests are counted and make the exchange fail
 * once all are served; a request producer index the ring rejects ends it at once.
 * <p>
 * Single-threaded; {@link #doWork()} allocates nothing except to describe the first invalid request.
 */
public final class RingPeerBack implements RingPeer
{
    private final BackRing back;
    private final AtomicBuffer buffer;
    private final long requestCount;
    private final BlkifRequest copy = new BlkifRequest();
    private final BlkifResponseFlyweight response = new BlkifResponseFlyweight();
    private long served;
    private long invalid;
    private long notificationsDue;
    private PushListener pushListener = PushListener.NONE;
    private String firstInvalid;
    private String fault;

    /**
     * @param back         the back end's view of the ring, attached at index 0.
     * @param requestCount requests to serve, at least 1.
     */
    public RingPeerBack(final BackRing back, final long requestCount)
    {
        if (requestCount <= 0)
        {
            throw new IllegalArgumentException("request count must be positive: " + requestCount);
        }
        this.back = back;
        this.buffer = back.sharedRing().buffer();
        this.requestCount = requestCount;
    }

    /** Sets who is told of each published batch (default {@link PushListener#NONE}); call before the first doWork. */
    public RingPeerBack pushListener(final PushListener listener)
    {
        this.pushListener = listener;
        return this;
    }

    @Override
    public String roleName()
    {
        return "ring-peer-back";
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
            final int answered = serveRequests();
            if (answered > 0)
            {
                // batch, then publish once; the listener decides where a requested notification goes
                final boolean notifyRequired = back.pushResponsesAndCheckNotify();
                if (notifyRequired)
                {
                    notificationsDue++;
                }
                pushListener.onPush(answered, notifyRequired);
            }
            return answered;
        }
        catch (final RingOverflowException ex)
        {
            fault = ex.getMessage();
            return 1;
        }
    }

    private int serveRequests()
    {
        // bounded by the validated producer index and by what is left to serve
        final int available = (int)Math.min(back.pollRequests(), requestCount - served);
        for (int i = 0; i < available; i++)
        {
            copy.copyFrom(buffer, back.takeRequest(), BlkifAbi.X86_64);
            final BlkifRequestError error = copy.validate();
            if (error != BlkifRequestError.NONE)
            {
                invalid++;
                if (firstInvalid == null)
                {
                    firstInvalid = "request " + (served + 1) + " (id 0x" + Long.toHexString(copy.id()) + "): " +
                        error + ", " + error.description();
                }
            }
            response.wrap(buffer, back.claimResponse());
            // writes all 16 bytes, padding zero (CVE-2017-10911)
            response.write(
                copy.id(), copy.operation(), error == BlkifRequestError.NONE ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR);
            served++;
        }
        return available;
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
            // a request that raced in after req_event was armed
            return back.finalCheckForRequests();
        }
        catch (final RingOverflowException ex)
        {
            fault = ex.getMessage();
            return true;
        }
    }

    @Override
    public boolean isDone()
    {
        return fault != null || served == requestCount;
    }

    @Override
    public String failure()
    {
        if (fault != null)
        {
            return fault;
        }
        if (invalid > 0 && served == requestCount)
        {
            return invalid + " of " + requestCount + " requests were invalid and answered BLKIF_RSP_ERROR; first: " +
                firstInvalid;
        }
        return null;
    }

    @Override
    public String summary()
    {
        return "ring-peer back: " + served + " of " + requestCount + " requests served OKAY (the front end asked for " +
            notificationsDue + " notifications)";
    }

    @Override
    public String progress()
    {
        return served + " of " + requestCount + " requests served" + (invalid > 0 ? ", " + invalid + " invalid" : "");
    }

    public long served()
    {
        return served;
    }

    /** Requests that failed validation (each answered {@code BLKIF_RSP_ERROR}). */
    public long invalid()
    {
        return invalid;
    }
}
