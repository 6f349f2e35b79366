package io.pvio.ring.testkit;

import io.pvio.ring.blkif.BlkifConformancePattern;
import io.pvio.ring.BackRing;
import io.pvio.ring.blkif.BlkifAbi;
import io.pvio.ring.blkif.BlkifRequest;
import io.pvio.ring.blkif.BlkifRequestError;
import io.pvio.ring.blkif.BlkifResponseFlyweight;
import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_ERROR;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;

/**
 * The Java back end of the blkif interop exchange, the counterpart of {@code blkif_peer back}: copies each request
 * out of the ring once ({@link BlkifRequest#copyFrom}), checks the copy is valid per {@code blkif.h} and is the next
 * {@link BlkifConformancePattern} request field for field, and answers OKAY echoing id and operation (ERROR for a request
 * that fails, which is also counted). It serves exactly {@code requestCount} requests, sleeps on the event index
 * through {@link Doorbells} and kicks only when the ring says so.
 * <p>
 * For one run on one thread. A missing kick throws {@link IllegalStateException} at the deadline.
 */
public final class BlkifTestBack
{
    private final BackRing back;
    private final AtomicBuffer buffer;
    private final Doorbells doorbells;
    private final int requestCount;
    private final BlkifRequest copy = new BlkifRequest();
    private final BlkifResponseFlyweight response = new BlkifResponseFlyweight();
    private int served;
    private int errors;
    private String firstError;

    public BlkifTestBack(final BackRing back, final Doorbells doorbells, final int requestCount)
    {
        this.back = back;
        this.buffer = back.sharedRing().buffer();
        this.doorbells = doorbells;
        this.requestCount = requestCount;
    }

    /** Serves {@code requestCount} requests, then returns. */
    public void run(final long deadlineNs)
    {
        while (served < requestCount)
        {
            final int seen = doorbells.snapshot();
            if (serveRequests() > 0)
            {
                if (back.pushResponsesAndCheckNotify())
                {
                    doorbells.kickPeer();
                }
            }
            else if (!back.finalCheckForRequests())
            {
                doorbells.awaitKick(seen, deadlineNs);
            }
        }
    }

    private int serveRequests()
    {
        final int available = Math.min(back.pollRequests(), requestCount - served);
        for (int i = 0; i < available; i++)
        {
            copy.copyFrom(buffer, back.takeRequest(), BlkifAbi.X86_64);
            final BlkifRequestError error = copy.validate();
            final String mismatch = error != BlkifRequestError.NONE ?
                "invalid request: " + error.description() : BlkifConformancePattern.mismatch(copy, BlkifConformancePattern.id(served));
            if (mismatch != null)
            {
                errors++;
                if (firstError == null)
                {
                    firstError = mismatch;
                }
            }
            response.wrap(buffer, back.claimResponse());
            response.write(copy.id(), copy.operation(), mismatch == null ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR);
            served++;
        }
        return available;
    }

    public int served()
    {
        return served;
    }

    /** Requests that were invalid or not the expected pattern request (each answered ERROR). */
    public int errors()
    {
        return errors;
    }

    /** The first error, or null. */
    public String firstError()
    {
        return firstError;
    }

    public long kicksSent()
    {
        return doorbells.kicksSent();
    }

    public long waits()
    {
        return doorbells.waits();
    }
}
