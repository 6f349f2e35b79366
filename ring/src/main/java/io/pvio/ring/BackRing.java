package io.pvio.ring;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The back end's (dom0's) view of a shared ring: it consumes requests and produces responses
 * ({@code struct xxx_back_ring} and the {@code RING_*} macros of {@code xen/io/ring.h}).
 * <p>
 * The front end is hostile. {@link #pollRequests()} reads {@code req_prod} once per batch and validates it against
 * the private indices ({@code RING_REQUEST_PROD_OVERFLOW}); a bogus value halts this ring with a
 * {@link RingOverflowException} and nothing beyond the last validated index is ever read. Each request must be
 * copied out of its slot once and only the copy validated (XSA-155): the front end can rewrite a slot at any time.
 * <p>
 * Single-threaded: one owner calls every method. Typical use, allocating nothing:
 * <pre>{@code
 * do {
 *     for (int n = back.pollRequests(); n > 0; n--) {
 *         copy.copyFrom(buffer, back.takeRequest());          // copy once, then validate the copy only
 *         ...perform...
 *         response.wrap(buffer, back.claimResponse());        // write id, status, zero padding
 *     }
 *     if (back.pushResponsesAndCheckNotify()) { eventChannel.notifyRemote(); }
 * } while (back.finalCheckForRequests());                      // sleep only after this returns false
 * }</pre>
 */
public final class BackRing
{
    /** x86-64's and arm64's cache line. */
    static final int CACHE_LINE_BYTES = 64;

    private final SharedRing ring;
    private final int size;

    /** {@code req_cons}: next request to consume. */
    private int reqCons;
    /** The last validated {@code req_prod}; nothing beyond it is read. */
    private int reqProdSnapshot;
    /** {@code rsp_prod_pvt}: next response slot to fill. */
    private int rspProdPvt;
    /** The value we last stored to {@code rsp_prod}; kept privately so a hostile peer cannot skew notification. */
    private int rspProdPublished;
    private RingOverflowException fault;
    /** The sum of what {@link #prefetchRequests} loaded: meaningless, it only keeps the loads. */
    private long prefetchSink;

    private BackRing(final SharedRing ring, final int index)
    {
        this.ring = ring;
        this.size = ring.size();
        this.reqCons = index;
        this.reqProdSnapshot = index;
        this.rspProdPvt = index;
        this.rspProdPublished = index;
    }

    /** {@code BACK_RING_INIT}: attach to a ring the front end initialised, at index 0. */
    public static BackRing attach(final SharedRing ring)
    {
        return attach(ring, 0);
    }

    /** {@code BACK_RING_ATTACH}: attach with every request up to {@code index} consumed and answered. */
    public static BackRing attach(final SharedRing ring, final int index)
    {
        return new BackRing(ring, index);
    }

    public SharedRing sharedRing()
    {
        return ring;
    }

    public int size()
    {
        return size;
    }

    /**
     * Reads {@code req_prod} once, validates it, and returns how many requests can now be taken
     * ({@code XEN_RING_NR_UNCONSUMED_REQUESTS}, which by validation never exceeds the free response slots).
     *
     * @throws RingOverflowException if the front end published an impossible producer index (the ring is then
     *                               halted).
     */
    public int pollRequests()
    {
        return acceptRequestProducer(ring.requestProducerAcquire());
    }

    /**
     * Takes the next request ({@code RING_GET_REQUEST(ring, req_cons++)}) and returns its absolute offset. Copy the
     * request out at once; never read the slot again.
     *
     * @throws IllegalStateException if no validated request is pending (call {@link #pollRequests()}).
     */
    public int takeRequest()
    {
        if (reqCons == reqProdSnapshot)
        {
            throw new IllegalStateException(ring.layout().name() + ": no polled request to take");
        }
        return ring.entryOffset(reqCons++);
    }

    /**
     * Brings the next {@code count} request slots (at most those polled) into this CPU's cache before they are taken:
     * one load per cache line of each, all issued back to back, so that their misses overlap. The front end wrote
     * the slots on its own CPU, so each line is in that CPU's cache; taken one at a time, with the request's I/O in
     * between, every line would be a separate wait for it (measured: 100 to 420 ns per cross-core round trip on a
     * 2-vCPU VM). The values loaded are discarded, never a decision's input: each request is still read once, by
     * its copy (XSA-155).
     */
    public void prefetchRequests(final int count)
    {
        final int n = Math.min(count, reqProdSnapshot - reqCons);
        final int entryBytes = ring.layout().entryBytes();
        final AtomicBuffer buffer = ring.buffer();
        long sink = 0;
        for (int i = 0; i < n; i++)
        {
            final int slotOffset = ring.entryOffset(reqCons + i);
            for (int lineOffset = 0; lineOffset < entryBytes - Long.BYTES; lineOffset += CACHE_LINE_BYTES)
            {
                sink += buffer.getLong(slotOffset + lineOffset);
            }
            sink += buffer.getLong(slotOffset + entryBytes - Long.BYTES);
        }
        prefetchSink += sink; // kept, so the compiler cannot drop the loads
    }

    /** Requests taken but not yet answered. */
    public int requestsOutstanding()
    {
        return reqCons - rspProdPvt;
    }

    /**
     * Claims the next response slot ({@code RING_GET_RESPONSE(ring, rsp_prod_pvt++)}) and returns its absolute
     * offset. Write every byte of the response, padding included (CVE-2017-10911).
     *
     * @throws IllegalStateException if every taken request is already answered.
     */
    public int claimResponse()
    {
        if (rspProdPvt == reqCons)
        {
            throw new IllegalStateException(ring.layout().name() + ": no taken request left to answer");
        }
        return ring.entryOffset(rspProdPvt++);
    }

    /** {@code RING_PUSH_RESPONSES}: publish every claimed response without checking whether to notify. */
    public void pushResponses()
    {
        rspProdPublished = rspProdPvt;
        ring.responseProducerRelease(rspProdPvt);
    }

    /**
     * Publishes every claimed response ({@code rsp_prod}, a release store: the front end that reads it with acquire
     * sees the responses) without deciding about a notification yet: the next {@link #pushResponsesAndCheckNotify()}
     * decides for every response published since the last decision. For a back end that publishes each response as
     * soon as it is written but notifies at most once per batch.
     */
    public void publishResponses()
    {
        ring.responseProducerRelease(rspProdPvt);
    }

    /**
     * A hint, with no fence: whether the front end's {@code rsp_event}, as this thread sees it now, lies among the
     * responses published since the last notification decision, i.e. it is waiting for an event. Call
     * {@link #pushResponsesAndCheckNotify()} to decide; a false here may be stale.
     */
    public boolean isNotifyLikelyRequired()
    {
        return isNotifyLikelyRequired(ring.responseEventVolatile());
    }

    /**
     * The front end's {@code rsp_event} as it is now, with no fence: read right after {@link #pollRequests()}, it
     * shares the cache line the producer index just brought over, so it costs no second wait for the front end's CPU.
     * A hint for {@link #isNotifyLikelyRequired(int)}; a front end may arm it later.
     */
    public int responseEventHint()
    {
        return ring.responseEventVolatile();
    }

    /**
     * {@link #isNotifyLikelyRequired()} against a {@code rsp_event} read earlier ({@link #responseEventHint()}):
     * arithmetic only, no memory access.
     */
    public boolean isNotifyLikelyRequired(final int responseEvent)
    {
        return isNotifyLikelyRequired(responseEvent, 0);
    }

    /**
     * {@link #isNotifyLikelyRequired(int)} as if {@code unclaimed} more responses were claimed: whether the front end
     * waits for one of the next {@code unclaimed} answers (a back end holding answers before it writes them).
     */
    public boolean isNotifyLikelyRequired(final int responseEvent, final int unclaimed)
    {
        return SringDescriptor.notifyRequired(rspProdPublished, rspProdPvt + unclaimed, responseEvent);
    }

    /**
     * {@code RING_PUSH_RESPONSES_AND_CHECK_NOTIFY}: publish every claimed response and report whether the front end
     * asked to be notified of one of them (of any published since the last such check).
     */
    public boolean pushResponsesAndCheckNotify()
    {
        final int oldProd = rspProdPublished;
        final int newProd = rspProdPvt;
        rspProdPublished = newProd;
        ring.responseProducerVolatile(newProd);
        return SringDescriptor.notifyRequired(oldProd, newProd, ring.responseEventVolatile());
    }

    /**
     * {@code RING_FINAL_CHECK_FOR_REQUESTS}: returns true if requests are pending; otherwise sets {@code req_event}
     * so the front end notifies on the next request, then checks once more so a request that raced with the event
     * update is not missed. Go idle only when this returns false.
     */
    public boolean finalCheckForRequests()
    {
        if (pollRequests() > 0)
        {
            return true;
        }
        ring.requestEventVolatile(reqCons + 1);
        return acceptRequestProducer(ring.requestProducerVolatile()) > 0;
    }

    /** {@code req_cons} (unsigned 32-bit). */
    public int requestConsumerIndex()
    {
        return reqCons;
    }

    /** {@code rsp_prod_pvt} (unsigned 32-bit). */
    public int responseProducerIndex()
    {
        return rspProdPvt;
    }

    public boolean isFaulted()
    {
        return fault != null;
    }

    private int acceptRequestProducer(final int reqProd)
    {
        if (fault != null)
        {
            throw fault;
        }
        // ring.h RING_REQUEST_PROD_OVERFLOW: (req_prod - rsp_prod_pvt) > RING_SIZE. Also refuse a req_prod that
        // moved behind req_cons: the front end may only ever add requests.
        final int published = reqProd - rspProdPvt;
        if (Integer.compareUnsigned(published, size) > 0 ||
            Integer.compareUnsigned(published, reqCons - rspProdPvt) < 0)
        {
            fault = new RingOverflowException(ring.layout().name(), "request producer", reqProd, reqCons, size);
            throw fault;
        }
        reqProdSnapshot = reqProd;
        return reqProd - reqCons;
    }
}
