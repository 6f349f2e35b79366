package io.pvio.ring;

/**
 * The front end's (guest's) view of a shared ring: it produces requests and consumes responses
 * ({@code struct xxx_front_ring} and the {@code RING_*} macros of {@code xen/io/ring.h}).
 * <p>
 * Single-threaded: one owner calls every method. Typical use, allocating nothing:
 * <pre>{@code
 * while (batch-has-more && !front.isFull()) {
 *     request.wrap(front.sharedRing().buffer(), front.claimRequest());   // write the body through a flyweight
 *     ...
 * }
 * if (front.pushRequestsAndCheckNotify()) { eventChannel.notifyRemote(); }
 *
 * do {
 *     for (int n = front.pollResponses(); n > 0; n--) {
 *         response.wrap(buffer, front.takeResponse());   // copy the response out before claiming a request
 *         ...
 *     }
 * } while (front.finalCheckForResponses());             // sleep only after this returns false
 * }</pre>
 * The back end is not trusted either: a response producer index beyond what was requested halts the ring with a
 * {@link RingOverflowException} (Linux blkfront's {@code RING_RESPONSE_PROD_OVERFLOW} check).
 */
public final class FrontRing
{
    private final SharedRing ring;
    private final int size;

    /** {@code req_prod_pvt}: next request slot to fill. */
    private int reqProdPvt;
    /** The value we last stored to {@code req_prod}; kept privately so a hostile peer cannot skew notification. */
    private int reqProdPublished;
    /** {@code rsp_cons}: next response to consume. */
    private int rspCons;
    /** The last validated {@code rsp_prod}; nothing beyond it is read. */
    private int rspProdSnapshot;
    private RingOverflowException fault;

    private FrontRing(final SharedRing ring, final int index)
    {
        this.ring = ring;
        this.size = ring.size();
        this.reqProdPvt = index;
        this.reqProdPublished = index;
        this.rspCons = index;
        this.rspProdSnapshot = index;
    }

    /** {@code XEN_FRONT_RING_INIT}: initialise the shared header and attach at index 0. */
    public static FrontRing initialise(final SharedRing ring)
    {
        return initialiseAt(ring, 0);
    }

    /** Initialise the header with both producers at {@code startIndex} (see {@link SharedRing#initialiseAt}). */
    public static FrontRing initialiseAt(final SharedRing ring, final int startIndex)
    {
        ring.initialiseAt(startIndex);
        return new FrontRing(ring, startIndex);
    }

    /**
     * {@code FRONT_RING_ATTACH}: take over a ring that is already initialised, with every request up to
     * {@code index} answered and consumed (e.g. after the front end's own state was rebuilt).
     */
    public static FrontRing attach(final SharedRing ring, final int index)
    {
        return new FrontRing(ring, index);
    }

    public SharedRing sharedRing()
    {
        return ring;
    }

    public int size()
    {
        return size;
    }

    /** {@code RING_FREE_REQUESTS}: slots not holding an unanswered request or an unconsumed response. */
    public int freeRequests()
    {
        return size - (reqProdPvt - rspCons);
    }

    /** {@code RING_FULL}. */
    public boolean isFull()
    {
        return reqProdPvt - rspCons == size;
    }

    /**
     * Claims the next request slot ({@code RING_GET_REQUEST(ring, req_prod_pvt++)}) and returns its absolute offset
     * in {@link SharedRing#buffer()}. The request becomes visible to the back end at the next push.
     *
     * @throws IllegalStateException if the ring is full.
     */
    public int claimRequest()
    {
        if (reqProdPvt - rspCons == size)
        {
            throw new IllegalStateException(ring.layout().name() + ": ring full (" + size + " requests in flight)");
        }
        return ring.entryOffset(reqProdPvt++);
    }

    /** Requests claimed but not yet pushed. */
    public int unpushedRequests()
    {
        return reqProdPvt - reqProdPublished;
    }

    /** {@code RING_PUSH_REQUESTS}: publish every claimed request without checking whether to notify. */
    public void pushRequests()
    {
        reqProdPublished = reqProdPvt;
        ring.requestProducerRelease(reqProdPvt);
    }

    /**
     * {@code RING_PUSH_REQUESTS_AND_CHECK_NOTIFY}: publish every claimed request and report whether the back end
     * asked to be notified of one of them (its {@code req_event} lies in the newly published range).
     */
    public boolean pushRequestsAndCheckNotify()
    {
        final int oldProd = reqProdPublished;
        final int newProd = reqProdPvt;
        reqProdPublished = newProd;
        ring.requestProducerVolatile(newProd);
        return SringDescriptor.notifyRequired(oldProd, newProd, ring.requestEventVolatile());
    }

    /**
     * Reads {@code rsp_prod} once, validates it, and returns how many responses can now be taken.
     *
     * @throws RingOverflowException if the back end published more responses than there are requests (the ring
     *                               is then halted).
     */
    public int pollResponses()
    {
        return acceptResponseProducer(ring.responseProducerAcquire());
    }

    /**
     * Takes the next response ({@code RING_GET_RESPONSE(ring, rsp_cons++)}) and returns its absolute offset.
     * Copy the response out before claiming another request: its slot becomes free for reuse.
     *
     * @throws IllegalStateException if no validated response is pending (call {@link #pollResponses()}).
     */
    public int takeResponse()
    {
        if (rspCons == rspProdSnapshot)
        {
            throw new IllegalStateException(ring.layout().name() + ": no polled response to take");
        }
        return ring.entryOffset(rspCons++);
    }

    /**
     * {@code RING_FINAL_CHECK_FOR_RESPONSES}: returns true if responses are pending; otherwise sets
     * {@code rsp_event} so the back end notifies on the next response, then checks once more so a response that
     * raced with the event update is not missed. Go idle only when this returns false.
     */
    public boolean finalCheckForResponses()
    {
        return finalCheckForResponses(1);
    }

    /**
     * {@link #finalCheckForResponses()} with notification moderation: asks to be notified when {@code responsesAhead}
     * more responses are in ({@code rsp_event = rsp_cons + responsesAhead}, which ring.h permits: the back end
     * notifies when {@code rsp_prod} passes {@code rsp_event}), so a front end with many requests in flight is woken
     * once for several of them while the back end keeps working on the rest. Never more than are in flight (each is
     * answered, so the event comes), never fewer than one.
     */
    public boolean finalCheckForResponses(final int responsesAhead)
    {
        if (pollResponses() > 0)
        {
            return true;
        }
        final int ahead = Math.max(1, Math.min(responsesAhead, requestsInFlight()));
        ring.responseEventVolatile(rspCons + ahead);
        return acceptResponseProducer(ring.responseProducerVolatile()) > 0;
    }

    /** Requests pushed or claimed whose responses have not been consumed. */
    public int requestsInFlight()
    {
        return reqProdPvt - rspCons;
    }

    /** {@code req_prod_pvt} (unsigned 32-bit). */
    public int requestProducerIndex()
    {
        return reqProdPvt;
    }

    /** {@code rsp_cons} (unsigned 32-bit). */
    public int responseConsumerIndex()
    {
        return rspCons;
    }

    public boolean isFaulted()
    {
        return fault != null;
    }

    private int acceptResponseProducer(final int rspProd)
    {
        if (fault != null)
        {
            throw fault;
        }
        // ring.h RING_RESPONSE_PROD_OVERFLOW: (rsp_prod - rsp_cons) > RING_SIZE; stricter here: a response can only
        // answer a request we published, so rsp_prod may not pass req_prod, nor move behind rsp_cons.
        if (Integer.compareUnsigned(rspProd - rspCons, reqProdPublished - rspCons) > 0)
        {
            fault = new RingOverflowException(ring.layout().name(), "response producer", rspProd, rspCons, size);
            throw fault;
        }
        rspProdSnapshot = rspProd;
        return rspProd - rspCons;
    }
}
