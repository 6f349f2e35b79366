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
import org.agrona.LangUtil;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.ArrayList;
import java.util.List;

/**
 * The agent behind a {@link BlkfrontDevice}: it owns the device's rings (one per queue) and the requests waiting for
 * room. Its duty cycle applies control commands (attach or detach the rings, close; from {@link BlkfrontXenbus} on
 * the bus thread), retries revoking per-request grants the back end still mapped when their request completed
 * (backing off while it keeps them, {@link RetryBackoff}), collects responses on every ring, and issues
 * waiting requests round robin over the rings with room (one push and at most one kick per ring). Detaching puts
 * every unfinished request back at the head of the queue in submission order; closing fails them. A dropped ring's
 * pages and grants the back end still maps go to the guest-wide {@link DeferredGrantRelease}, which outlives the
 * device. The commands wait in {@link BlkfrontCommands}, the requests in {@link BlkfrontIssueQueue}; the rings of a
 * connection are a {@link BlkfrontConnection}.
 * <p>
 * The guest's {@link GrantAccess} is shared with the bus thread and other devices, so its monitor is taken on the
 * control path only: attaching rings (each claims its indirect pages and reserves its own {@code GrantRefPool}) and
 * dropping them. Collecting and issuing take no lock: each ring grants and revokes per-request references from its
 * own pool, or uses its persistent pages.
 */
final class BlkfrontEngine implements Agent
{
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
    private final BlkfrontCommands commands;
    /** The request objects submitters claim and the agent recycles once completed. */
    private final BlkfrontRequestPool requests;
    /** Where what dropped rings leave mapped goes: ended (pages given back) once the back end lets go. */
    private final DeferredGrantRelease deferred;
    /** How soon to retry revoking per-request grants the back end still maps (no event says when it unmaps). */
    private final RetryBackoff revokeBackoff = new RetryBackoff();
    private final NanoClock clock = SystemNanoClock.INSTANCE;
    /** Filled by the rings as they collect, completed once every ring is collected (callbacks run between rings). */
    private final List<BlkfrontRequest> answered = new ArrayList<>();
    /** Buffers whose pages requests carry as they are (agent-owned). */
    private final BlkfrontRegisteredPages registeredPages = new BlkfrontRegisteredPages();
    /** The requests waiting for room (agent-owned). */
    private final BlkfrontIssueQueue waiting;

    // agent-owned
    /** The rings taken over from the last attach; {@code null} while there are none. */
    private BlkfrontConnection connection;
    private boolean closed;

    // read by any thread
    private volatile BlkfrontGeometry geometry;
    private volatile boolean closedForSubmissions;
    private volatile int queueDepth;
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
        // with requests in flight an answer is coming: poll for it a while longer rather than have the back end wake us
        idle.pollWhile(this::awaitingAnswers);
        this.deferred = deferred;
        this.memory = memory;
        this.name = name;
        this.handle = handle;
        this.backendDomid = backendDomid;
        this.hypercalls = hypercalls;
        this.grants = grants;
        this.errorHandler = errorHandler;
        this.commands = new BlkfrontCommands(name, idle);
        this.requests = new BlkfrontRequestPool(errorHandler);
        this.waiting = new BlkfrontIssueQueue(name, errorHandler, registeredPages, requests);
    }

    // ---- for the device (any thread) ----

    /** A request object for one use, to fill and {@link #offer} (any thread). */
    BlkfrontRequest claimRequest(
        final int operation, final long sector, final BlockBuffer buffer, final long discardSectors,
        final BlockCompletion completion)
    {
        return requests.claim(operation, sector, buffer, discardSectors, completion);
    }

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
        return waiting.inFlightHighWatermark();
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
            commands.register(buffer);
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
            commands.unregister(buffer);
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
        final BlkfrontCommands.Attach attach =
            new BlkfrontCommands.Attach(resources, fronts, persistentPages, features, geometry);
        // a closed device never applies it; its queue may also be full, if an Error stopped its agent and the back
        // end came and went since
        final boolean queued = !closedForSubmissions && commands.tryAttach(attach);
        // the agent's close sets closedForSubmissions before it gives back what is queued: whichever side sees the
        // other takes the rings (the agent may be gone, stopped by an Error, and would never apply them)
        if ((!queued || closedForSubmissions) && attach.take())
        {
            synchronized (grants)
            {
                attach.release(deferred);
            }
        }
        if (!queued && !closedForSubmissions)
        {
            throw new IllegalStateException(name + ": control commands are not being applied");
        }
    }

    void detach()
    {
        commands.detach();
    }

    /** The device is gone: everything not yet completed fails. */
    void close()
    {
        commands.close();
    }

    // ---- the agent ----

    @Override
    public String roleName()
    {
        return name;
    }

    /**
     * One duty cycle. An {@link Error} that escapes it (a {@link VirtualMachineError} from a completion callback, or
     * a bug of ours) ends the agent's thread, and Agrona's runner then never calls {@link #onClose()}: so the device
     * closes here first, as {@link #onClose()} would, and every request not completed fails rather than waits for an
     * agent that is gone; a later submission fails at once. The error is then thrown on for the runner to report.
     */
    @Override
    public int doWork()
    {
        try
        {
            return dutyCycle();
        }
        catch (final Error ex)
        {
            try
            {
                onClose();
            }
            catch (final Throwable closeFailure)
            {
                BlkfrontRing.suppress(ex, closeFailure);
            }
            throw ex;
        }
    }

    private int dutyCycle()
    {
        int work = applyCommands();
        work += waiting.drain(submissions);
        int revoked = 0;
        if (connection != null)
        {
            // the data path: no lock, each ring grants from its own pool or persistent pages
            boolean faulted = false;
            for (final BlkfrontRing ring : connection.rings())
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
                work += waiting.issue(connection);
            }
            completeAnswered();
        }
        else if (closed)
        {
            waiting.failAll();
        }
        if (connection != null && connection.holdsRefsToRevoke())
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
        // each step runs whatever a callback threw in an earlier one (a VirtualMachineError: the first is thrown at
        // the end), so that no request is left for an agent that is gone
        Throwable first = null;
        // answered but not yet completed: only after an Error stopped a duty cycle amid its completions; each call
        // takes those it completed (the one that threw included) off the list
        while (!answered.isEmpty())
        {
            try
            {
                completeAnswered();
            }
            catch (final Throwable ex)
            {
                first = first != null ? first : ex;
            }
        }
        try
        {
            synchronized (grants)
            {
                try
                {
                    if (connection != null)
                    {
                        dropRings(true);
                    }
                }
                finally
                {
                    // rings handed over by the control path that this agent never took over, buffers it never
                    // registered
                    commands.releaseUnapplied(hypercalls, grants, deferred, registeredPages);
                    for (final BlkfrontRegisteredBuffer buffer : registeredPages.removeAll())
                    {
                        buffer.release(hypercalls, grants, deferred);
                    }
                }
            }
        }
        catch (final Throwable ex)
        {
            first = first != null ? first : ex;
        }
        try
        {
            waiting.drain(submissions);
            waiting.failAll();
        }
        catch (final Throwable ex)
        {
            first = first != null ? first : ex;
        }
        if (first != null)
        {
            LangUtil.rethrowUnchecked(first);
        }
    }

    /**
     * The park guard ({@link EventIdleStrategy.ParkGuard}), on the agent thread: arms every ring's response event and
     * looks once more for responses, submissions and commands.
     */
    private boolean armAndStillIdle()
    {
        boolean idleNow = commands.isEmpty() && submissions.isEmpty();
        if (connection != null)
        {
            idleNow &= !connection.armResponseEvents();
        }
        return idleNow;
    }

    /** Whether the back end owes answers: requests in flight on the rings (agent thread, idle strategy's poll). */
    private boolean awaitingAnswers()
    {
        return connection != null && connection.hasRequestsInFlight();
    }

    private void completeAnswered()
    {
        int completed = 0;
        try
        {
            while (completed < answered.size())
            {
                final BlkfrontRequest request = answered.get(completed++);
                requests.complete(request, request.status);
            }
        }
        finally
        {
            // whatever escaped (an error handler that throws), those completed leave the list: once recycled, a
            // request here again would be its next use
            if (completed == answered.size())
            {
                answered.clear();
            }
            else
            {
                answered.subList(0, completed).clear();
            }
        }
    }

    private int applyCommands()
    {
        int applied = 0;
        Object command;
        while ((command = commands.poll()) != null)
        {
            applied++;
            if (command instanceof BlkfrontCommands.Attach attach)
            {
                if (!attach.take())
                {
                    continue; // the control path found the device closed and gave the rings back itself
                }
                RuntimeException notTakenOver = null;
                synchronized (grants)
                {
                    if (connection != null)
                    {
                        dropRings(false);
                    }
                    try
                    {
                        // each ring claims its indirect pages and reserves its grant refs from GrantAccess: monitor
                        // held
                        connection = new BlkfrontConnection(attach, handle, backendDomid, hypercalls, grants,
                            answered, errorHandler, memory, requests, deferred);
                        queueDepth = connection.queueDepth();
                    }
                    catch (final RuntimeException ex)
                    {
                        // the attach's rings and pages are given back already
                        notTakenOver = ex;
                    }
                }
                if (notTakenOver != null)
                {
                    // no rings: requests stay queued for the next connection (the back end's next restart), as
                    // after a detach; reported outside the guest-wide grants monitor
                    geometry = null;
                    errorHandler.onError(new IllegalStateException(name + ": could not take over the rings of " +
                        "connection " + (connections + 1) + "; requests wait for the next connection", notTakenOver));
                    continue;
                }
                geometry = attach.geometry();
                waiting.connected();
                connections++;
            }
            else if (command instanceof BlkfrontCommands.Register register)
            {
                registeredPages.add(register.buffer());
            }
            else if (command instanceof BlkfrontCommands.Unregister unregister)
            {
                // out of the table first: nothing issued from now on carries its refs
                registeredPages.remove(unregister.buffer());
                releaseRegistered(unregister.buffer());
            }
            else if (command == BlkfrontCommands.DETACH)
            {
                geometry = null;
                if (connection != null)
                {
                    synchronized (grants)
                    {
                        // the back end went away: what it had not answered goes out again on the next rings
                        dropRings(false);
                    }
                }
            }
            else if (command == BlkfrontCommands.CLOSE)
            {
                closed = true;
                geometry = null;
                if (connection != null)
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
     * Takes every ring off: requests still in flight go back to the head of the queue in submission order (or fail:
     * all of them if {@code failAll}, those of a faulted ring always), and the rings' pages, grant ref pools and ports
     * are given back (now, or by the {@link DeferredGrantRelease} once the back end unmaps them). Grants monitor
     * held.
     */
    private void dropRings(final boolean failAll)
    {
        final List<BlkfrontRequest> unfinished = new ArrayList<>();
        try
        {
            connection.detachRings(failAll, deferred, unfinished);
        }
        finally
        {
            // whatever a failed request's callback threw, the others go back to the queue and the rings' resources
            // are given back
            waiting.requeue(unfinished);
            queueDepth = 0;
            connection.releaseRingResources(deferred);
            connection = null;
        }
    }
}
