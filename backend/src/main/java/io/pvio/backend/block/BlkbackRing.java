package io.pvio.backend.block;

import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.ring.BackRing;
import io.pvio.ring.RingOverflowException;
import io.pvio.ring.blkif.BlkifAbi;
import io.pvio.ring.blkif.BlkifRequest;
import io.pvio.ring.blkif.BlkifRequestError;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_DISCARD;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_FLUSH_DISKCACHE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_INDIRECT;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_READ;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_WRITE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_WRITE_BARRIER;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_EOPNOTSUPP;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_ERROR;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;
import static io.pvio.ring.blkif.BlkifConstants.SECTOR_SIZE_BYTES;

/**
 * blkback's data path for one ring (STYLE 8: the wire is in {@code io.pvio.ring.blkif}, the handshake in
 * {@link BlkbackXenbus}). An Agrona agent whose duty cycle drains the ring in batches:
 * <ol>
 *   <li>read {@code req_prod} once and validate it ({@link BackRing#pollRequests()}); a bogus value halts this ring
 *       only (the agent stops serving it, logs once and touches nothing else);</li>
 *   <li>for each request: copy it out of the slot once ({@link BlkifRequest#copyFrom}, XSA-155) and from then on
 *       read only the copy; check the operation is one we offer (else {@code EOPNOTSUPP}), validate the copy's
 *       structure (segment count, first/last sector in the page), its range against the disk, and the grant refs
 *       (each grant copy element reports its own status); perform it and answer OKAY or ERROR;</li>
 *   <li>write and publish the responses in groups ({@link BackRing#publishResponses()}), so a polling front end
 *       completes them and refills the slots while the rest of the batch is served, and the cache lines its CPU
 *       reads cross once per group: a request of more than a page is answered at once; one-page requests are held
 *       up to {@link #RESPONSE_GROUP_REQUESTS}, and every {@link #RESPONSE_CHECK_REQUESTS} the group goes out early
 *       if the oldest held has waited {@link #RESPONSE_HOLD_NS} (slow storage) or holds the response a parked front
 *       end waits for. Then notify the front end once per batch, if it asked
 *       ({@link BackRing#pushResponsesAndCheckNotify()}), as the next duty cycle begins: after its poll, so that
 *       the decision's fence waits for the responses' stores and the next batch's loads together. A batch ends
 *       early, and so is told early, at the first group
 *       that holds the response a parked front end waits for: by the {@code rsp_event} read with {@code req_prod}
 *       when the batch began ({@link BackRing#responseEventHint()}, the same cache line), and after a request of
 *       more than a page by {@code rsp_event} as it is then.</li>
 * </ol>
 * Indirect requests (when {@link BlkbackFeatures#maxIndirectSegments()} is offered) first have their indirect pages
 * copied into bounce frames (grant-copied in one batch, or with {@code feature-persistent} copied from kept read-only
 * mappings); the segments are then copied once out of those private frames
 * ({@link BlkifRequest#copyIndirectSegmentsFrom}) and validated like inline ones.
 * <p>
 * Data moves through {@link BlkbackSegmentMover}: by one {@code GNTTABOP_copy} per request between the front end's
 * granted pages and this ring's own bounce frames, then to or from a private staging buffer for the storage call;
 * or, with {@code feature-persistent} negotiated, through mappings kept from one request to the next, for inline and
 * indirect requests alike (at most {@link BlkbackPersistentGrants#DEFAULT_MAX_PER_DEVICE} by default for all the
 * rings of a device together; beyond that, grant copy). With kept mappings, a request whose pages are one
 * machine-contiguous byte range goes <b>direct</b>: the storage call reads or writes the front end's pages in place
 * (one copy per byte; {@link BlkbackCounters#directTransfers()}); any other goes through staging. A hostile front end
 * can neither make us write to a page it did not grant writable nor make us hold more than a bounded number of
 * mappings. A write that fails any check touches no storage; a read that fails a grant copy may have filled the
 * front end's other, valid segments (its own pages) and is answered ERROR.
 * <p>
 * Requests are performed one after another in ring order, so a barrier or flush sees every earlier write complete.
 * Everything here is owned by the agent thread. The duty cycle never arms {@code req_event}: while the agent spins
 * it polls, and a front end that keeps the ring fed never kicks. Only when its
 * {@link io.pvio.hypervisor.guest.EventIdleStrategy} is about to park does it arm it ({@link #armAndStillIdle()},
 * the park guard: {@link BackRing#finalCheckForRequests()}); the front end's next kick then arrives as an event
 * that wakes the agent. A ring that has served since it last parked polls for the agent's longer poll before it
 * parks ({@link #expectsRequests()}).
 */
public final class BlkbackRing implements Agent
{
    /** The most requests answered per duty cycle (one notification decision each). */
    public static final int MAX_BATCH_REQUESTS = 64;
    /**
     * The most one-page requests whose responses are written and published together (a request of more than a page
     * is answered at once, with any held before it). Each group costs the front end's CPU one wait for the cache
     * line of {@code rsp_prod}, which it polls and writes {@code req_prod} into: in-run A/B of rand-read-4k-qd32,
     * plain groups of 16 against 4 (before the hold checks), +1.2%, +0.5% and +7.0% median over three runs (34 of
     * 52 rounds better).
     */
    public static final int RESPONSE_GROUP_REQUESTS = 16;
    /**
     * Every this many held responses the group may go out early: if the front end armed {@code rsp_event} for one
     * of them (it is parked, waiting), or if the oldest has been held {@link #RESPONSE_HOLD_NS}. A parked front end
     * waiting for an event is told within this many requests (sooner than with the groups of 4 before). The clock
     * is read for the checks only, each time just before the next request's I/O ({@link #beforeIo}): a request's
     * I/O is not timed, so a check that finds the group young cannot know the next requests will be slow.
     */
    public static final int RESPONSE_CHECK_REQUESTS = 2;
    /**
     * How long a held group may wait to fill before it goes out at the next check: fast storage (page-cache reads,
     * about 1 us each) fills a group of 16 within it. A response is held at most this long plus the I/O of the
     * {@link #RESPONSE_CHECK_REQUESTS} requests up to the next check (and never beyond the batch): storage slower
     * than 10 us a request sends every check's worth, which holds a response behind at most one other (groups of 4
     * held it behind up to three); fast requests followed by slow ones wait for at most two of the slow ones.
     */
    public static final long RESPONSE_HOLD_NS = TimeUnit.MICROSECONDS.toNanos(20);
    /** How often a busy ring looks for kept grants gone idle (Linux blkback's {@code LRU_INTERVAL}: 100 ms). */
    static final long PURGE_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);

    /** Resources move through these states; only RUNNING serves requests. */
    public enum State
    {
        RUNNING,
        /** The front end published an impossible producer index: this ring is stopped for good. */
        HALTED,
        CLOSED
    }

    private final String name;
    private final BackRing back;
    private final AtomicBuffer ringBuffer;
    private final BlkifAbi abi;
    private final BlockStorage storage;
    private final long diskSectors;
    private final boolean readOnly;
    private final BlkbackFeatures features;
    private final Hypercalls hypercalls;
    private final int localPort;
    private final ErrorHandler errorHandler;
    private final BlkifRequest copy;
    private final BlkbackCounters counters = new BlkbackCounters();
    /** Responses performed but not yet written ({@link #RESPONSE_GROUP_REQUESTS} at most): id, operation, status. */
    private final long[] pendingIds = new long[RESPONSE_GROUP_REQUESTS];
    private final int[] pendingOperations = new int[RESPONSE_GROUP_REQUESTS];
    private final int[] pendingStatuses = new int[RESPONSE_GROUP_REQUESTS];
    private int pendingResponses;
    /** Whether a batch was served since the agent last parked ({@link #expectsRequests}). */
    private boolean servedSincePark;
    /** When the held group began: read before the I/O of its first request ({@link #beforeIo}). */
    private long groupStartNs;
    /** The last batch's responses are published; their notification decision is the next poll's. */
    private boolean notificationDue;
    private final BlkbackSegmentMover mover;
    private final boolean persistent;
    /** With {@code persistent}: kept grants unused for longer are unmapped (the device's budget says how long). */
    private final long persistentGrantIdleTimeoutNs;
    private final NanoClock clock = SystemNanoClock.INSTANCE;
    private long nextPurgeCheckNs;
    /** Since the first poll that found the ring empty, until the next batch ({@link BlkbackCounters#emptyRingNs}). */
    private boolean ringEmpty;
    private long ringEmptySinceNs;

    private volatile State state = State.RUNNING;
    private boolean rejectionLogged;
    private boolean ioErrorLogged;
    private RingOverflowException fault;

    /**
     * @param back          the back end's view of the front end's ring.
     * @param bounce        this ring's own frames, at least {@link #bounceFramesNeeded}.
     * @param localPort     the event channel bound to the front end's.
     * @param persistentGrantBudget with {@code persistent}: the device's bound on kept mappings, shared by its rings.
     */
    public BlkbackRing(
        final String name,
        final BackRing back,
        final BlkifAbi abi,
        final BlockStorage storage,
        final BlkbackGeometry geometry,
        final BlkbackFeatures features,
        final Hypercalls hypercalls,
        final int frontendDomid,
        final int localPort,
        final BlkbackBouncePages bounce,
        final boolean persistent,
        final BlkbackPersistentGrantBudget persistentGrantBudget,
        final ErrorHandler errorHandler)
    {
        this.name = name;
        this.back = back;
        this.ringBuffer = back.sharedRing().buffer();
        this.abi = abi;
        this.storage = storage;
        this.diskSectors = geometry.sectorCount();
        this.readOnly = geometry.isReadOnly();
        this.features = features;
        this.hypercalls = hypercalls;
        this.localPort = localPort;
        this.errorHandler = errorHandler;
        this.copy = new BlkifRequest(features.maxIndirectSegments());
        this.mover = new BlkbackSegmentMover(
            hypercalls, frontendDomid, bounce, features, persistent, persistentGrantBudget, counters);
        this.persistent = persistent;
        this.persistentGrantIdleTimeoutNs = persistent ? persistentGrantBudget.idleTimeoutNs() : 0;
        this.nextPurgeCheckNs = clock.nanoTime();
    }

    /** Bounce frames a ring needs: one per data segment, plus one per indirect page if indirect is offered. */
    public static int bounceFramesNeeded(final BlkbackFeatures features)
    {
        return BlkbackSegmentMover.bounceFramesNeeded(features);
    }

    @Override
    public String roleName()
    {
        return name;
    }

    public State state()
    {
        return state;
    }

    /** Why the ring halted, or {@code null}. */
    public RingOverflowException fault()
    {
        return fault;
    }

    public BlkbackCounters counters()
    {
        return counters;
    }

    /** Requests the shared ring holds ({@code __RING_SIZE}: 32 per page for blkif). */
    public int ringSize()
    {
        return back.size();
    }

    /** Grants kept mapped for the front end now (0 without {@code feature-persistent}). */
    public int persistentGrantsMapped()
    {
        return mover.persistentGrantsMapped();
    }

    @Override
    public int doWork()
    {
        if (state != State.RUNNING)
        {
            return 0;
        }
        try
        {
            return drainBatch();
        }
        catch (final RingOverflowException ex)
        {
            // what was answered before the bogus index still gets its event, if the front end asked
            notifyIfDue();
            halt(ex);
            return 1;
        }
    }

    @Override
    public void onClose()
    {
        if (state == State.RUNNING)
        {
            state = State.CLOSED;
        }
        mover.release();
    }

    private int drainBatch()
    {
        // no event is armed here: the agent polls while it spins and arms req_event only when it is about to park
        // (armAndStillIdle, its idle strategy's park guard), so a front end feeding a busy ring never kicks
        final int available = back.pollRequests();
        final int limit = Math.min(available, MAX_BATCH_REQUESTS);
        // the batch's slots, written on the front end's CPU, come over together rather than one wait per request;
        // issued before the last batch's notification decision, whose fence then waits for them and for the last
        // responses' stores at once
        back.prefetchRequests(limit);
        notifyIfDue();
        if (available == 0)
        {
            if (!ringEmpty)
            {
                // one clock read per dry spell, none per empty poll (at queue depth 1, one per request)
                ringEmpty = true;
                ringEmptySinceNs = clock.nanoTime();
                counters.beginEmptyRingSpell(ringEmptySinceNs);
            }
            return 0;
        }
        servedSincePark = true;
        // one clock read per batch: the time the batch's requests use their kept grants, and the end of a dry spell
        final long batchStartNs = clock.nanoTime();
        if (ringEmpty)
        {
            ringEmpty = false;
            counters.endEmptyRingSpell(batchStartNs - ringEmptySinceNs);
        }
        if (persistent)
        {
            purgeIdleGrantsIfDue(batchStartNs);
            mover.useTimeNs(batchStartNs);
        }
        // whether the front end waits for one of this batch's responses: rsp_event shares its cache line with the
        // producer index just read (the front end arms it before it parks, and a parked one does not move it)
        final int responseEventHint = back.responseEventHint();
        int answered = 0;
        try
        {
            while (answered < limit)
            {
                answer(back.takeRequest());
                answered++;
                // responses go out in small groups (a request of more than a page at once): the group's slots and
                // rsp_prod are written together, so their cache lines, which the front end's CPU reads, cross once
                // per group rather than once per request, while the front end completes them and refills the slots
                // as we work on the rest
                final boolean large = copy.segmentCount() > 1;
                if (large || isGroupDue(responseEventHint))
                {
                    writePendingResponses();
                    // a front end waiting for one of these gets its event now, not after the rest of the batch: the
                    // batch ends here, and the next duty cycle decides first thing. Known by the event it had armed
                    // when the batch began (no memory access), and after a request of more than a page
                    // (whose I/O dwarfs a wait for the front end's CPU) by rsp_event as it is now, in case it parked
                    // since. One that parks during a batch of small requests is told at the batch's end.
                    if (back.isNotifyLikelyRequired(responseEventHint) || (large && back.isNotifyLikelyRequired()))
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            // whatever ends the batch, what was answered is published now, and its one notification decision is
            // taken at the next poll (notifyIfDue), however the batch ended
            writePendingResponses();
            counters.addBatch();
            notificationDue = true;
        }
        return answered;
    }

    /**
     * The last batch's notification decision, taken at the start of the next duty cycle, once its poll has read
     * {@code req_prod} and loaded the next batch's slots: ring.h's full fence after {@code rsp_prod}, then
     * {@code rsp_event}, covering every response published since the last decision. Taken at the batch's end, the
     * fence waited for the batch's response stores to reach the front end's CPU with nothing else to do; here that
     * wait overlaps the poll's. A front end that parked waiting for one of them is told a poll later (well under a
     * microsecond), never at a later batch: every duty cycle, whether it finds requests or not, takes it first.
     */
    private void notifyIfDue()
    {
        if (notificationDue)
        {
            notificationDue = false;
            if (back.pushResponsesAndCheckNotify())
            {
                hypercalls.eventChannel().send(localPort);
                counters.addNotification();
            }
        }
    }

    /**
     * Whether the held one-page responses go out now: the group is full; or, at each
     * {@link #RESPONSE_CHECK_REQUESTS}, a front end armed {@code rsp_event} (as the batch began) for one of them.
     * Otherwise, at a check, whether the group has been held {@link #RESPONSE_HOLD_NS} is decided before the next
     * request's I/O ({@link #beforeIo}), which is where the clock is read.
     */
    private boolean isGroupDue(final int responseEventHint)
    {
        if (pendingResponses == RESPONSE_GROUP_REQUESTS)
        {
            return true;
        }
        if (pendingResponses % RESPONSE_CHECK_REQUESTS != 0)
        {
            return false;
        }
        return back.isNotifyLikelyRequired(responseEventHint, pendingResponses);
    }

    /**
     * Just before a request's I/O, once it is copied and validated, the one clock read the held group needs, both
     * told by how many responses are held: none, and this request starts a group (its start is stamped); a multiple
     * of {@link #RESPONSE_CHECK_REQUESTS}, and the last request's check found no front end waiting (else they
     * would be out), so the group's age is checked. A group held {@link #RESPONSE_HOLD_NS} goes out now, before this
     * request's I/O, so storage sees published what a check right after the last request would have published. Read here, the clock costs little. Read straight
     * after the last storage call, it also waits for that call's memory traffic: {@code BlkbackRequestBenchmark}
     * on a memory disk measured 195-239 ns a request with the clock read after the storage call, and 137-170 ns
     * with it read before.
     */
    private void beforeIo()
    {
        if (pendingResponses == 0)
        {
            // the first of a group (nothing held: the last request's check, if any, sent its group)
            groupStartNs = clock.nanoTime();
        }
        else if (pendingResponses % RESPONSE_CHECK_REQUESTS == 0)
        {
            // a check found the front end not waiting for these (else they would be out): is the group old?
            final long nowNs = clock.nanoTime();
            if (nowNs - groupStartNs >= RESPONSE_HOLD_NS)
            {
                // no event yet: the front end was not waiting for these at the check
                writePendingResponses();
                groupStartNs = nowNs;
            }
        }
    }

    /**
     * Whether this ring expects requests soon: it has served a batch since its agent last parked. Its agent's
     * {@link io.pvio.hypervisor.guest.EventIdleStrategy#pollWhile} predicate, on the agent thread. A front end with
     * requests in flight refills the ring as it completes them, so a ring that has just run dry polls on for the
     * agent's longer poll ({@code awaitPollNs}, as the front end does while it is owed answers) before it parks, not
     * only for the short spin. A park makes the front end's next push a kick, and the wake-up two thread hand-offs
     * (dom0's vCPU thread takes the event, then this ring's agent), each waiting for a CPU; a front end briefly off
     * its CPU then finds the ring asleep when it comes back. A ring woken with nothing to serve parks after the
     * short spin again.
     */
    public boolean expectsRequests()
    {
        return servedSincePark;
    }

    /**
     * The park guard of this ring's agent ({@link io.pvio.hypervisor.guest.EventIdleStrategy.ParkGuard}), on the
     * agent thread: ring.h's final check (set {@code req_event}, full fence, re-read {@code req_prod}), so the front
     * end's next push is followed by a kick.
     *
     * @return true if there is still nothing to do (park); false if requests arrived meanwhile.
     */
    public boolean armAndStillIdle()
    {
        if (state != State.RUNNING)
        {
            return true;
        }
        try
        {
            final boolean idle = !back.finalCheckForRequests();
            if (idle)
            {
                // the agent parks: until a batch comes, its idle periods spin only the short spin
                servedSincePark = false;
            }
            return idle;
        }
        catch (final RingOverflowException ex)
        {
            halt(ex);
            return true;
        }
    }

    /**
     * For the park guard, once the ring is armed and idle: unmaps the kept grants that went unused for the device's
     * idle timeout, and says when to wake to unmap the next ones if nothing else wakes the agent first (a front end
     * that freed pages waits for us to let go of them, busy or not). On the agent thread.
     *
     * @return how long the agent may park before it must look again; -1 for as long as it likes (nothing is kept).
     */
    public long idleWakeInNs()
    {
        if (!persistent || state != State.RUNNING)
        {
            return -1;
        }
        // once per park, not gated by the busy ring's interval: a wake for the purge must purge
        final long nowNs = clock.nanoTime();
        counters.addPurgedPersistentGrants(mover.purgeIdleGrants(nowNs, persistentGrantIdleTimeoutNs));
        return mover.nextPurgeInNs(nowNs, persistentGrantIdleTimeoutNs);
    }

    private void purgeIdleGrantsIfDue(final long nowNs)
    {
        if (nowNs - nextPurgeCheckNs >= 0)
        {
            nextPurgeCheckNs = nowNs + Math.min(PURGE_CHECK_INTERVAL_NS, persistentGrantIdleTimeoutNs);
            counters.addPurgedPersistentGrants(mover.purgeIdleGrants(nowNs, persistentGrantIdleTimeoutNs));
        }
    }

    /**
     * Writes the held responses into their slots in order, then publishes them (release store: the front end sees the
     * response bytes before {@code rsp_prod}); the notification decision is the batch's.
     */
    private void writePendingResponses()
    {
        if (pendingResponses == 0)
        {
            return;
        }
        for (int i = 0; i < pendingResponses; i++)
        {
            abi.writeResponse(ringBuffer, back.claimResponse(), pendingIds[i], pendingOperations[i], pendingStatuses[i]);
        }
        pendingResponses = 0;
        back.publishResponses();
    }

    /** Performs the request in {@code slotOffset} and holds its response for {@link #writePendingResponses()}. */
    private void answer(final int slotOffset)
    {
        // XSA-155: the one and only read of this slot; everything below uses the copy
        copy.copyFrom(ringBuffer, slotOffset, abi);
        int status;
        try
        {
            status = perform();
        }
        catch (final RuntimeException ex)
        {
            // a bug of ours, not the front end's: the request is still answered, the ring goes on, logged once
            if (!ioErrorLogged)
            {
                ioErrorLogged = true;
                errorHandler.onError(new IllegalStateException(name + ": failed to perform " + copy, ex));
            }
            status = BLKIF_RSP_ERROR;
        }
        pendingIds[pendingResponses] = copy.id();
        pendingOperations[pendingResponses] = copy.operation();
        pendingStatuses[pendingResponses] = status;
        pendingResponses++;
        counters.addRequest();
        if (status == BLKIF_RSP_ERROR)
        {
            counters.addErrorResponse();
        }
        else if (status == BLKIF_RSP_EOPNOTSUPP)
        {
            counters.addUnsupportedResponse();
        }
    }

    private int perform()
    {
        final int operation = copy.operation();
        if (!isOffered(operation))
        {
            return reject(BLKIF_RSP_EOPNOTSUPP, "operation not offered");
        }
        BlkifRequestError error = copy.validate();
        if (error != BlkifRequestError.NONE)
        {
            return reject(BLKIF_RSP_ERROR, error.description());
        }
        if (operation == BLKIF_OP_INDIRECT)
        {
            if (!mover.copyIndirectSegments(copy))
            {
                return reject(BLKIF_RSP_ERROR, "grant copy of an indirect page failed");
            }
            error = copy.validate();
            if (error != BlkifRequestError.NONE)
            {
                return reject(BLKIF_RSP_ERROR, error.description());
            }
        }
        beforeIo();
        try
        {
            switch (copy.dataOperation())
            {
                case BLKIF_OP_READ:
                    return transfer(false);
                case BLKIF_OP_WRITE:
                    return readOnly ? reject(BLKIF_RSP_ERROR, "write to a read-only device") : transfer(true);
                case BLKIF_OP_WRITE_BARRIER:
                case BLKIF_OP_FLUSH_DISKCACHE:
                    return flush();
                case BLKIF_OP_DISCARD:
                    return discard();
                default:
                    return reject(BLKIF_RSP_EOPNOTSUPP, "operation not offered");
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // storage is pluggable: whatever it throws, the request is answered and the ring keeps going
            if (!ioErrorLogged)
            {
                ioErrorLogged = true;
                errorHandler.onError(new IOException(name + ": storage failed on " + copy, ex));
            }
            return BLKIF_RSP_ERROR;
        }
    }

    private boolean isOffered(final int operation)
    {
        switch (operation)
        {
            case BLKIF_OP_READ:
            case BLKIF_OP_WRITE:
                return true;
            case BLKIF_OP_WRITE_BARRIER:
                return features.barrier();
            case BLKIF_OP_FLUSH_DISKCACHE:
                return features.flushCache();
            case BLKIF_OP_DISCARD:
                return features.discard();
            case BLKIF_OP_INDIRECT:
                return features.maxIndirectSegments() > 0;
            default:
                // BLKIF_OP_RESERVED_1 and unknown codes
                return false;
        }
    }

    /** Barrier and flush: any data they carry is written first (requests run in order), then the cache forced. */
    private int flush() throws IOException
    {
        if (copy.segmentCount() > 0)
        {
            if (readOnly)
            {
                return reject(BLKIF_RSP_ERROR, "write to a read-only device");
            }
            final int status = transfer(true);
            if (status != BLKIF_RSP_OKAY)
            {
                return status;
            }
        }
        storage.flush();
        return BLKIF_RSP_OKAY;
    }

    private int discard() throws IOException
    {
        if (readOnly)
        {
            return reject(BLKIF_RSP_ERROR, "discard on a read-only device");
        }
        // blkif.h: sector_number + nr_sectors must lie within the disk ("sectors")
        if (!isWithinDisk(copy.sectorNumber(), copy.nrSectors()))
        {
            return reject(BLKIF_RSP_ERROR, "discard range outside the disk");
        }
        storage.discard(copy.sectorNumber() * SECTOR_SIZE_BYTES, copy.nrSectors() * SECTOR_SIZE_BYTES);
        return BLKIF_RSP_OKAY;
    }

    /**
     * A read or write of the copy's segments, validated already; the segments are consecutive on the disk. Direct
     * through the front end's kept pages when they are one machine-contiguous range, else through staging.
     */
    private int transfer(final boolean write) throws IOException
    {
        final int segments = copy.segmentCount();
        int totalBytes = 0;
        for (int i = 0; i < segments; i++)
        {
            totalBytes += BlkbackSegmentMover.segmentBytes(copy, i);
        }
        // blkif.h: sector_number + the segments' sectors must lie within the disk ("sectors"); u64, no overflow
        if (!isWithinDisk(copy.sectorNumber(), totalBytes / SECTOR_SIZE_BYTES))
        {
            return reject(BLKIF_RSP_ERROR, "sectors outside the disk");
        }
        final long offsetBytes = copy.sectorNumber() * SECTOR_SIZE_BYTES;
        mover.resolveSegments(copy);
        final ByteBuffer direct = mover.directRun(copy);
        if (direct != null)
        {
            // one copy per byte: storage reads or writes the front end's kept pages in place, nothing can fail first
            if (write)
            {
                storage.write(offsetBytes, direct, mover.directRunOffsetBytes(), totalBytes);
            }
            else
            {
                storage.read(offsetBytes, direct, mover.directRunOffsetBytes(), totalBytes);
            }
            mover.countDirect(copy);
            return BLKIF_RSP_OKAY;
        }
        if (write)
        {
            if (!mover.gatherFromFrontend(copy))
            {
                // nothing reaches storage unless every segment came across
                return reject(BLKIF_RSP_ERROR, "grant copy from the front end failed");
            }
            storage.write(offsetBytes, mover.staging(), 0, totalBytes);
            return BLKIF_RSP_OKAY;
        }
        storage.read(offsetBytes, mover.staging(), 0, totalBytes);
        return mover.scatterToFrontend(copy) ? BLKIF_RSP_OKAY :
            reject(BLKIF_RSP_ERROR, "grant copy to the front end failed");
    }

    /** {@code [first, first + count)} within the disk, all u64 as the front end sent them. */
    private boolean isWithinDisk(final long firstSector, final long sectorCount)
    {
        return Long.compareUnsigned(firstSector, diskSectors) < 0 &&
            Long.compareUnsigned(sectorCount, diskSectors - firstSector) <= 0;
    }

    /** Answers with {@code status}; the first rejection on this ring is logged, later ones only counted. */
    private int reject(final int status, final String reason)
    {
        if (!rejectionLogged)
        {
            rejectionLogged = true;
            final String detail = status == BLKIF_RSP_ERROR && reason.startsWith("grant copy") ?
                reason + " (" + mover.firstGrantFailure() + ")" : reason;
            errorHandler.onError(new BlkbackRequestException(name + ": " + detail + ": " + copy));
        }
        return status;
    }

    private void halt(final RingOverflowException ex)
    {
        fault = ex;
        state = State.HALTED;
        // log once: the ring is dead and polls no more
        errorHandler.onError(ex);
    }
}
