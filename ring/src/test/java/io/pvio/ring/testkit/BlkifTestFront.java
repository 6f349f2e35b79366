package io.pvio.ring.testkit;

import io.pvio.ring.blkif.BlkifConformancePattern;
import io.pvio.ring.FrontRing;
import io.pvio.ring.blkif.BlkifRequestFlyweight;
import io.pvio.ring.blkif.BlkifResponseFlyweight;
import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;

/**
 * The Java front end of the blkif interop exchange, the counterpart of {@code blkif_peer front}: sends
 * {@link BlkifConformancePattern} requests 0..count-1, as many in flight as the ring holds, and checks every response
 * (id issued and outstanding, operation echoed, status OKAY). It sleeps on the event index through
 * {@link Doorbells}: final check, then wait for a kick; and it kicks only when the ring says so.
 * <p>
 * For one run on one thread. Protocol violations throw {@link AssertionError}; a missing kick throws
 * {@link IllegalStateException} at the deadline.
 */
public final class BlkifTestFront
{
    private final FrontRing front;
    private final AtomicBuffer buffer;
    private final Doorbells doorbells;
    private final int requestCount;
    private final boolean[] answered;
    private final BlkifRequestFlyweight request = new BlkifRequestFlyweight();
    private final BlkifResponseFlyweight response = new BlkifResponseFlyweight();
    private boolean dropKicks;
    private int sent;
    private int received;

    public BlkifTestFront(final FrontRing front, final Doorbells doorbells, final int requestCount)
    {
        this.front = front;
        this.buffer = front.sharedRing().buffer();
        this.doorbells = doorbells;
        this.requestCount = requestCount;
        this.answered = new boolean[requestCount];
    }

    /**
     * Fault injection: never kick the back end, as a front end that ignored {@code req_event} would behave. The back
     * end then sleeps forever on its first idle wait; tests use it to show that the harness catches lost wake-ups.
     */
    public BlkifTestFront dropKicks()
    {
        dropKicks = true;
        return this;
    }

    /** Runs the whole exchange; returns once every response has arrived and checked out. */
    public void run(final long deadlineNs)
    {
        while (received < requestCount)
        {
            final int seen = doorbells.snapshot();
            boolean progress = sendRequests();
            do
            {
                progress |= takeResponses() > 0;
            }
            while (front.finalCheckForResponses());
            if (!progress && received < requestCount)
            {
                doorbells.awaitKick(seen, deadlineNs);
            }
        }
    }

    private boolean sendRequests()
    {
        boolean sentAny = false;
        while (sent < requestCount && !front.isFull())
        {
            request.wrap(buffer, front.claimRequest());
            BlkifConformancePattern.write(request, BlkifConformancePattern.id(sent));
            sent++;
            sentAny = true;
        }
        if (sentAny && front.pushRequestsAndCheckNotify() && !dropKicks)
        {
            doorbells.kickPeer();
        }
        return sentAny;
    }

    private int takeResponses()
    {
        final int available = front.pollResponses();
        for (int i = 0; i < available; i++)
        {
            response.wrap(buffer, front.takeResponse());
            // read each field once: the back end may rewrite the slot
            final long id = response.id();
            final int operation = response.operation();
            final int status = response.status();
            final long sequence = BlkifConformancePattern.sequence(id);
            if (Long.compareUnsigned(sequence, sent) >= 0 || answered[(int)sequence])
            {
                throw new AssertionError("response " + received + ": id 0x" + Long.toHexString(id) +
                    " was not issued or is not outstanding");
            }
            answered[(int)sequence] = true;
            if (operation != BlkifConformancePattern.operation(id))
            {
                throw new AssertionError("response 0x" + Long.toHexString(id) + " echoes operation " + operation +
                    ", request had " + BlkifConformancePattern.operation(id));
            }
            if (status != BLKIF_RSP_OKAY)
            {
                throw new AssertionError("response 0x" + Long.toHexString(id) + " has status " + status);
            }
            received++;
        }
        return available;
    }

    public int requestsSent()
    {
        return sent;
    }

    public int responsesReceived()
    {
        return received;
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
