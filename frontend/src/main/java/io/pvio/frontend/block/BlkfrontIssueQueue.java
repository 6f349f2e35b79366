package io.pvio.frontend.block;

import org.agrona.ErrorHandler;
import org.agrona.LangUtil;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.ArrayDeque;
import java.util.List;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_EOPNOTSUPP;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_ERROR;

/**
 * The requests a {@link BlkfrontEngine}'s agent holds that are not on a ring: drained from the submission queue,
 * issued in order round robin over the rings of the {@link BlkfrontConnection} with room (one push and at most one
 * kick per ring), put back at the head in submission order when rings are dropped, failed when the device closes.
 * Owned by the agent thread; no lock.
 */
final class BlkfrontIssueQueue
{
    private final String name;
    private final ErrorHandler errorHandler;
    private final BlkfrontRequestPool requests;
    /** Buffers whose pages requests carry as they are (the agent's table). */
    private final BlkfrontRegisteredPages registeredPages;
    private final ArrayDeque<BlkfrontRequest> waiting = new ArrayDeque<>();

    // agent-owned
    private int nextRing;
    private long nextSequence;
    /** Whether this connection failed a request its rings' kept grant references starved (logged once). */
    private boolean starvationReported;

    // read by any thread
    private volatile int inFlightHighWatermark;

    BlkfrontIssueQueue(
        final String name, final ErrorHandler errorHandler, final BlkfrontRegisteredPages registeredPages,
        final BlkfrontRequestPool requests)
    {
        this.name = name;
        this.errorHandler = errorHandler;
        this.requests = requests;
        this.registeredPages = registeredPages;
    }

    /** The most requests in flight at once so far, over all rings. Any thread. */
    int inFlightHighWatermark()
    {
        return inFlightHighWatermark;
    }

    /**
     * Takes what was submitted meanwhile, behind what waits already.
     *
     * @return requests taken.
     */
    int drain(final ManyToOneConcurrentArrayQueue<BlkfrontRequest> submissions)
    {
        return submissions.drainTo(waiting, BlkfrontDevice.SUBMISSION_QUEUE_CAPACITY);
    }

    /** A new connection: it may report starvation once again. */
    void connected()
    {
        starvationReported = false;
    }

    /**
     * Issues waiting requests in order, round robin over the queues with room; then one push and at most one kick per
     * ring. No lock: the rings grant from their own pools or persistent pages.
     */
    int issue(final BlkfrontConnection connection)
    {
        int issued = 0;
        BlkfrontRequest request;
        while ((request = waiting.peekFirst()) != null)
        {
            // a buffer of registered pages goes out on their grants, no copy and nothing claimed for it; looked up
            // again only when the table changed, not every cycle the request waits for room
            if (request.registeredGeneration != registeredPages.generation())
            {
                request.registered = request.buffer != null &&
                    registeredPages.fillRefs(request.buffer, request.grantRefs);
                request.registeredGeneration = registeredPages.generation();
            }
            // not offered, or more pages than this connection carries in one request (no indirect segments, or fewer)
            if (!connection.serves(request))
            {
                waiting.pollFirst();
                requests.complete(request, BLKIF_RSP_EOPNOTSUPP);
                continue;
            }
            // every ring full, or short of grant refs or persistent pages: completions give them back...
            final BlkfrontRing ring = nextRingFor(connection.rings(), request);
            if (ring == null)
            {
                if (!connection.isStarved(request))
                {
                    break;
                }
                // ...unless there are none in flight and the back end keeps the refs mapped: fail, never hang
                waiting.pollFirst();
                reportStarvation();
                requests.complete(request, BLKIF_RSP_ERROR);
                continue;
            }
            waiting.pollFirst();
            if (request.sequence == 0)
            {
                request.sequence = ++nextSequence;
            }
            if (!ring.issue(request))
            {
                // a page of the buffer has no frame behind it (or could not be granted): nothing reached the ring
                requests.complete(request, BLKIF_RSP_ERROR);
                continue;
            }
            issued++;
        }
        if (issued > 0)
        {
            final int inFlight = connection.publish();
            if (inFlight > inFlightHighWatermark)
            {
                inFlightHighWatermark = inFlight;
            }
        }
        return issued;
    }

    private BlkfrontRing nextRingFor(final BlkfrontRing[] rings, final BlkfrontRequest request)
    {
        for (int i = 0; i < rings.length; i++)
        {
            final int q = (nextRing + i) % rings.length;
            if (rings[q].canIssue(request))
            {
                nextRing = (q + 1) % rings.length;
                return rings[q];
            }
        }
        return null;
    }

    private void reportStarvation()
    {
        if (!starvationReported)
        {
            starvationReported = true;
            errorHandler.onError(new IllegalStateException(name + ": the back end keeps every grant reference " +
                "mapped with nothing in flight: failing requests that cannot be issued"));
        }
    }

    /**
     * Puts the requests a dropped connection had in flight back at the head, in submission order, to go out again
     * first on the next rings.
     */
    void requeue(final List<BlkfrontRequest> unfinished)
    {
        unfinished.sort((a, b) -> Long.compare(a.sequence, b.sequence));
        for (int i = unfinished.size() - 1; i >= 0; i--)
        {
            waiting.addFirst(unfinished.get(i));
        }
    }

    /** Fails every waiting request: the device is closed. */
    void failAll()
    {
        BlkfrontRequest request;
        Throwable thrown = null;
        // each leaves the queue before it completes: once recycled it must be nowhere the agent looks again; what
        // one completion throws (a VirtualMachineError, an error handler's own) is thrown once every other has failed
        while ((request = waiting.pollFirst()) != null)
        {
            thrown = requests.completeHolding(request, BLKIF_RSP_ERROR, thrown);
        }
        if (thrown != null)
        {
            LangUtil.rethrowUnchecked(thrown);
        }
    }
}
