package io.pvio.frontend.block;

import io.pvio.hypervisor.guest.RetryBackoff;

import io.pvio.hypervisor.xenbus.DeferredGrantRelease;

import io.pvio.hypervisor.guest.EventIdleStrategy;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.memory.GuestMemory;
import io.pvio.hypervisor.xenbus.XenbusFrontRing;
import io.pvio.ring.FrontRing;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_DISCARD;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_FLUSH_DISKCACHE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_EOPNOTSUPP;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_ERROR;

/**
 * The agent behind a {@link BlkfrontDevice}: it owns the device's rings (one per queue) and the requests waiting for
 * room. Its duty cycle applies control commands (attach or detach the rings, close; from {@link BlkfrontXenbus} on
 * the bus thread), retries revoking per-request grants the back end still mapped when their request completed
 * (backing off while it keeps them, {@link RetryBackoff}), collects responses on every ring, and issues
 * waiting requests round robin over the rings with room (one push and at most one kick per ring). Detaching puts
 * every unfinished request back at the head of the queue in submission order; closing fails them. A dropped ring's
 * pages and grants the back end still maps go to the guest-wide {@link DeferredGrantRelease}, which outlives the
 * device.
 * <p>
 * The guest's {@link GrantAccess} is shared with the bus thread and other devices, so its monitor is taken on the
 * control path only: attaching rings (each claims its indirect pages and reserves its own {@code GrantRefPool}) and
 * dropping them. Collecting and issuing take no lock: each ring grants and revokes per-request references from its
 * own pool, or uses its persistent pages.
 */
final class BlkfrontEngine implements Agent
{
    /**
     * The rings (one per queue) for the agent to take over (from the control path), with each queue's persistent
     * pages if {@code feature-persistent} was negotiated ({@code null}s otherwise).
     */
    private record Attach(XenbusFrontRing[] resources, FrontRing[] fronts, BlkfrontPersistentPages[] persistentPages,
        BlkfrontBackendFeatures features, BlkfrontGeometry geometry)
    {
        /** Gives back what the agent never took over. Grants monitor held. */
        void release(final DeferredGrantRelease deferred)
        {
            for (int q = 0; q < resources.length; q++)
            {
                if (resources[q].release() > 0)
                {
                    deferred.deferRing(resources[q]);
                }
                if (persistentPages[q] != null)
                {
                    persistentPages[q].release(deferred);
                }
            }
        }
    }

    /** A buffer allocated on the caller's thread, for the agent's table. */
    private record Register(BlkfrontRegisteredBuffer buffer)
    {
    }

    /** A buffer the caller freed: out of the table, then released. */
    private record Unregister(BlkfrontRegisteredBuffer buffer)
    {
    }

    /** Control commands waiting for the agent: attach/detach/close, and buffers allocated or freed meanwhile. */
    static final int COMMAND_QUEUE_CAPACITY = 1024;

    private static final Object DETACH = new Object();
    private static final Object CLOSE = new Object();

    private final String name;
    private final int handle;
    private final int backendDomid;
    private final Hypercalls hypercalls;
    private final GuestMemory memory;
    private final GrantAccess grants;
    private final ErrorHandler errorHandler;
    private final EventIdleStrategy idle;
    private final ManyToOneConcurrentArrayQueue<BlkfrontRequest> submissions =
        new ManyToOneConcurrentArrayQueue<>(BlkfrontDevice.SUBMISSION_QUEUE_CAPACITY);
    private final ManyToOneConcurrentArrayQueue<Object> commands = new ManyToOneConcurrentArrayQueue<>(COMMAND_QUEUE_CAPACITY);
    private final ArrayDeque<BlkfrontRequest> waiting = new ArrayDeque<>();
    /** Where what dropped rings leave mapped goes: ended (pages given back) once the back end lets go. */
    private final DeferredGrantRelease deferred;
    /** How soon to retry revoking per-request grants the back end still maps (no event says when it unmaps). */
    private final RetryBackoff revokeBackoff = new RetryBackoff();
    private final NanoClock clock = SystemNanoClock.INSTANCE;
    /** Filled by the rings as they collect, completed once every ring is collected (callbacks run between rings). */
    private final List<BlkfrontRequest> answered = new ArrayList<>();
    /** Buffers whose pages requests carry as they are (agent-owned). */
    private final BlkfrontRegisteredPages registeredPages = new BlkfrontRegisteredPages();

    // agent-owned
    private BlkfrontRing[] rings;
    private XenbusFrontRing[] ringResources;
    private int nextRing;
    /** The largest request any ring serves; larger ones complete with EOPNOTSUPP. */
    private int maxSegmentsPerRequest;
    /** Likewise for requests on registered buffers, which no ring's persistent pages or grant pool bound. */
    private int maxRegisteredSegmentsPerRequest;
    private BlkfrontBackendFeatures features;
    private long nextSequence;
    private boolean closed;
    /** Whether this connection failed a request its rings' kept grant references starved (logged once). */
    private boolean starvationReported;

    // read by any thread
    private volatile BlkfrontGeometry geometry;
    private volatile boolean closedForSubmissions;
    private volatile int queueDepth;
    private volatile int inFlightHighWatermark;
    private volatile long connections;

    BlkfrontEngine(
        final String name,
        final int handle,
        final int backendDomid,
        final Hypercalls hypercalls,
        final GuestMemory memory,
        final GrantAccess grants,
        final ErrorHandler errorHandler,
        final EventIdleStrategy idle,
        final DeferredGrantRelease deferred)
    {
        this.idle = idle;
        // the rings' response events are armed only when the agent is about to park
        idle.parkGuard(this::armAndStillIdle);
        this.deferred = deferred;
        this.memory = memory;
        this.name = name;
        this.handle = handle;
        this.backendDomid = backendDomid;
        this.hypercalls = hypercalls;
        this.grants = grants;
        this.errorHandler = errorHandler;
    }

    // ---- for the device (any thread) ----

    /** Queues a request for the agent; false if the queue is full. */
    boolean offer(final BlkfrontRequest request)
    {
        if (!submissions.offer(request))
        {
            return false;
        }
        // the request is in the queue before the signal: the agent's next duty cycle drains it
        idle.signal();
        return true;
    }

    ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /** Whether the device is closed: nothing submitted from now on will be issued. */
    boolean isClosed()
    {
        return closedForSubmissions;
    }

    String name()
    {
        return name;
    }

    BlkfrontGeometry geometry()
    {
        return geometry;
    }

    int queueDepth()
    {
        return queueDepth;
    }

    int inFlightHighWatermark()
    {
        return inFlightHighWatermark;
    }

    long connections()
    {
        return connections;
    }

    /**
     * Allocates a registered buffer of {@code pageCount} pages on the caller's thread (grants monitor taken) and hands
     * it to the agent's table.
     *
     * @throws IllegalStateException if the guest is short of memory or grant references, or the device is closed.
     */
    BlkfrontRegisteredBuffer allocateBuffer(final int pageCount)
    {
        final BlkfrontRegisteredBuffer buffer;
        synchronized (grants)
        {
            buffer = BlkfrontRegisteredBuffer.allocate(hypercalls, grants, backendDomid, pageCount);
        }
        try
        {
            offerCommand(new Register(buffer));
        }
        catch (final IllegalStateException ex)
        {
            releaseRegistered(buffer);
            throw ex;
        }
        if (closedForSubmissions)
        {
            // the agent stopped, or is stopping: its close releases what it saw, this whatever it did not
            releaseRegistered(buffer);
            throw new IllegalStateException(name + ": the device is closed");
        }
        return buffer;
    }

    /** Takes {@code buffer} out of the table and releases it (on the agent, or here if the device is closed). */
    void freeBuffer(final BlkfrontRegisteredBuffer buffer)
    {
        if (!closedForSubmissions)
        {
            offerCommand(new Unregister(buffer));
        }
        if (closedForSubmissions)
        {
            releaseRegistered(buffer);
        }
    }

    /** Registered buffers in the agent's table now (agent thread, or tests after it stopped). */
    int registeredBufferCount()
    {
        return registeredPages.bufferCount();
    }

    private void releaseRegistered(final BlkfrontRegisteredBuffer buffer)
    {
        synchronized (grants)
        {
            buffer.release(hypercalls, grants, deferred);
        }
    }

    // ---- control (from BlkfrontXenbus, on the bus thread) ----

    /**
     * Hands the agent the connected rings; it takes them over, {@code persistentPages} (per queue, {@code null}s if
     * {@code feature-persistent} was not negotiated) included.
     */
    void attach(
        final XenbusFrontRing[] resources, final FrontRing[] fronts, final BlkfrontPersistentPages[] persistentPages,
        final BlkfrontBackendFeatures features, final BlkfrontGeometry geometry)
    {
        offerCommand(new Attach(resources, fronts, persistentPages, features, geometry));
    }

    void detach()
    {
        offerCommand(DETACH);
    }

    /** The device is gone: everything not yet completed fails. */
    void close()
    {
        offerCommand(CLOSE);
    }

    private void offerCommand(final Object command)
    {
        if (!commands.offer(command))
        {
            throw new IllegalStateException(name + ": control commands are not being applied");
        }
        idle.signal();
    }

    // ---- the agent ----

    @Override
    public String roleName()
    {
        return name;
    }

    @Override
    public int doWork()
    {
        int work = applyCommands();
        work += submissions.drainTo(waiting, BlkfrontDevice.SUBMISSION_QUEUE_CAPACITY);
        int revoked = 0;
        if (rings != null)
        {
            // the data path: no lock, each ring grants from its own pool or persistent pages
            boolean faulted = false;
            for (final BlkfrontRing ring : rings)
            {
                revoked += ring.retryRevokes();
                work += ring.collect();
                faulted |= ring.isFaulted();
            }
            work += revoked;
            if (faulted)
            {
                synchronized (grants)
                {
                    // a hostile back end: what the faulted ring held fails, the rest waits for the next connection
                    dropRings(false);
                }
            }
            else
            {
                work += issueWaiting();
            }
            completeAnswered();
        }
        else if (closed)
        {
            failAll(waiting);
        }
        if (ringsHoldRefsToRevoke())
        {
            // no event says when the back end unmaps a grant: look again soon, less often while it keeps them
            idle.wakeWithin(revokeBackoff.waitNs(clock.nanoTime(), revoked > 0));
        }
        else
        {
            revokeBackoff.reset();
        }
        return work;
    }

    @Override
    public void onClose()
    {
        closed = true;
        // submitters check this after queueing: whatever this drain misses, they fail themselves
        closedForSubmissions = true;
        synchronized (grants)
        {
            if (rings != null)
            {
                dropRings(true);
            }
            // rings handed over by the control path that this agent never took over, buffers it never registered
            Object command;
            while ((command = commands.poll()) != null)
            {
                if (command instanceof Attach attach)
                {
                    attach.release(deferred);
                }
                else if (command instanceof Register register)
                {
                    register.buffer().release(hypercalls, grants, deferred);
                }
                else if (command instanceof Unregister unregister)
                {
                    registeredPages.remove(unregister.buffer());
                    unregister.buffer().release(hypercalls, grants, deferred);
                }
            }
            for (final BlkfrontRegisteredBuffer buffer : registeredPages.removeAll())
            {
                buffer.release(hypercalls, grants, deferred);
            }
        }
        submissions.drainTo(waiting, BlkfrontDevice.SUBMISSION_QUEUE_CAPACITY);
        failAll(waiting);
    }

    /**
     * The park guard ({@link EventIdleStrategy.ParkGuard}), on the agent thread: arms every ring's response event and
     * looks once more for responses, submissions and commands.
     */
    private boolean armAndStillIdle()
    {
        boolean idleNow = commands.isEmpty() && submissions.isEmpty();
        if (rings != null)
        {
            for (final BlkfrontRing ring : rings)
            {
                idleNow &= !ring.armResponseEvent();
            }
        }
        return idleNow;
    }

    private void completeAnswered()
    {
        for (int i = 0; i < answered.size(); i++)
        {
            final BlkfrontRequest request = answered.get(i);
            complete(request, request.status, errorHandler);
        }
        answered.clear();
    }

    private int applyCommands()
    {
        int applied = 0;
        Object command;
        while ((command = commands.poll()) != null)
        {
            applied++;
            if (command instanceof Attach attach)
            {
                synchronized (grants)
                {
                    if (rings != null)
                    {
                        dropRings(false);
                    }
                    final int maxIndirect = BlkfrontRing.maxIndirectSegments(attach.features());
                    rings = new BlkfrontRing[attach.fronts().length];
                    int depth = 0;
                    int maxSegments = 0;
                    int maxRegisteredSegments = 0;
                    for (int q = 0; q < rings.length; q++)
                    {
                        // claims the ring's indirect pages and reserves its grant refs from GrantAccess: monitor held
                        rings[q] = new BlkfrontRing(attach.fronts()[q], attach.resources()[q].port(), handle,
                            backendDomid, hypercalls, grants, answered, errorHandler, memory, maxIndirect,
                            attach.persistentPages()[q]);
                        depth += rings[q].capacity();
                        maxSegments = Math.max(maxSegments, rings[q].maxSegmentsPerRequest());
                        maxRegisteredSegments = Math.max(maxRegisteredSegments,
                            rings[q].maxRegisteredSegmentsPerRequest());
                    }
                    ringResources = attach.resources();
                    maxSegmentsPerRequest = maxSegments;
                    maxRegisteredSegmentsPerRequest = maxRegisteredSegments;
                    queueDepth = depth;
                }
                features = attach.features();
                geometry = attach.geometry();
                starvationReported = false;
                connections++;
            }
            else if (command instanceof Register register)
            {
                registeredPages.add(register.buffer());
            }
            else if (command instanceof Unregister unregister)
            {
                // out of the table first: nothing issued from now on carries its refs
                registeredPages.remove(unregister.buffer());
                releaseRegistered(unregister.buffer());
            }
            else if (command == DETACH)
            {
                geometry = null;
                if (rings != null)
                {
                    synchronized (grants)
                    {
                        // the back end went away: what it had not answered goes out again on the next rings
                        dropRings(false);
                    }
                }
            }
            else if (command == CLOSE)
            {
                closed = true;
                geometry = null;
                if (rings != null)
                {
                    synchronized (grants)
                    {
                        dropRings(true);
                    }
                }
            }
        }
        return applied;
    }

    /**
     * Issues waiting requests in order, round robin over the queues with room; then one push and at most one kick per
     * ring. No lock: the rings grant from their own pools or persistent pages.
     */
    private int issueWaiting()
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
            // more pages than this connection carries in one request (no indirect segments, or fewer)
            if (!isOffered(request.operation) || request.segmentCount() >
                (request.registered ? maxRegisteredSegmentsPerRequest : maxSegmentsPerRequest))
            {
                waiting.pollFirst();
                complete(request, BLKIF_RSP_EOPNOTSUPP, errorHandler);
                continue;
            }
            // every ring full, or short of grant refs or persistent pages: completions give them back...
            final BlkfrontRing ring = nextRingFor(request);
            if (ring == null)
            {
                if (!isStarved(request))
                {
                    break;
                }
                // ...unless there are none in flight and the back end keeps the refs mapped: fail, never hang
                waiting.pollFirst();
                reportStarvation();
                complete(request, BLKIF_RSP_ERROR, errorHandler);
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
                complete(request, BLKIF_RSP_ERROR, errorHandler);
                continue;
            }
            issued++;
        }
        if (issued > 0)
        {
            int inFlight = 0;
            for (final BlkfrontRing ring : rings)
            {
                ring.publish();
                inFlight += ring.inFlight();
            }
            if (inFlight > inFlightHighWatermark)
            {
                inFlightHighWatermark = inFlight;
            }
        }
        return issued;
    }

    private BlkfrontRing nextRingFor(final BlkfrontRequest request)
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

    /** Whether no ring can ever issue {@code request} by waiting for its completions ({@link BlkfrontRing#isStarvedFor}). */
    private boolean isStarved(final BlkfrontRequest request)
    {
        for (final BlkfrontRing ring : rings)
        {
            if (!ring.isStarvedFor(request))
            {
                return false;
            }
        }
        return true;
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

    private boolean isOffered(final int operation)
    {
        return switch (operation)
        {
            case BLKIF_OP_FLUSH_DISKCACHE -> features.flushCache();
            case BLKIF_OP_DISCARD -> features.discard();
            default -> true;
        };
    }

    /**
     * Takes every ring off: requests still in flight go back to the head of the queue in submission order (or fail:
     * all of them if {@code failAll}, those of a faulted ring always), and the rings' pages, grant ref pools and ports
     * are given back (now, or by the {@link DeferredGrantRelease} once the back end unmaps them). Grants monitor
     * held.
     */
    private void dropRings(final boolean failAll)
    {
        final List<BlkfrontRequest> unfinished = new ArrayList<>();
        for (final BlkfrontRing ring : rings)
        {
            final boolean faulted = ring.isFaulted();
            final List<BlkfrontRequest> held = ring.detach(deferred);
            if (failAll || faulted)
            {
                failAll(held);
            }
            else
            {
                unfinished.addAll(held);
            }
        }
        unfinished.sort((a, b) -> Long.compare(a.sequence, b.sequence));
        for (int i = unfinished.size() - 1; i >= 0; i--)
        {
            waiting.addFirst(unfinished.get(i));
        }
        rings = null;
        maxSegmentsPerRequest = 0;
        maxRegisteredSegmentsPerRequest = 0;
        queueDepth = 0;
        for (final XenbusFrontRing resources : ringResources)
        {
            if (resources.release() > 0)
            {
                deferred.deferRing(resources);
            }
        }
        ringResources = null;
    }

    /** Whether a ring's pool kept back refs the back end still mapped when their request completed. */
    private boolean ringsHoldRefsToRevoke()
    {
        if (rings != null)
        {
            for (final BlkfrontRing ring : rings)
            {
                if (ring.refsToRevoke() > 0)
                {
                    return true;
                }
            }
        }
        return false;
    }

    private void failAll(final Iterable<BlkfrontRequest> requests)
    {
        for (final BlkfrontRequest request : requests)
        {
            complete(request, BLKIF_RSP_ERROR, errorHandler);
        }
        if (requests instanceof ArrayDeque<?> deque)
        {
            deque.clear();
        }
    }

    static void complete(final BlkfrontRequest request, final int status, final ErrorHandler errorHandler)
    {
        if (!request.markCompleted())
        {
            return; // the submitter already failed it: the device closed under it
        }
        try
        {
            request.completion.onComplete(status);
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
        }
    }

}
