package io.pvio.hypervisor.domain;

import io.pvio.hypervisor.evtchn.Virq;
import io.pvio.ring.evtchn.SharedInfoFlyweight;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.locks.LockSupport;

/**
 * One virtual CPU: an Agrona agent whose duty cycle is
 * <ol>
 *   <li>fire its timers (raising {@code VIRQ_TIMER} on this vCPU),</li>
 *   <li>the safe point: run the guest's upcall if {@code evtchn_upcall_pending} is set and upcalls are not masked,
 *       with them masked for the duration (Xen's callback entry),</li>
 *   <li>one cycle of guest code.</li>
 * </ol>
 * Nothing runs unless the domain is {@link DomainState#RUNNING}. Anything the guest throws crashes its domain.
 * <p>
 * <b>Blocking</b> ({@code SCHEDOP_block}): after a cycle in which the guest called {@link VcpuContext#block()}, the
 * idle strategy parks the thread until an upcall can be delivered, a timer is due, or the domain changes state.
 * Going to sleep re-checks ({@link #mustWake}) after publishing {@code blocked}; event delivery sets
 * {@code evtchn_upcall_pending} (a full fence) before reading {@code blocked}, so one side always sees the other.
 * A paused vCPU parks the same way. A guest that neither works nor blocks idles with its domain's poll strategy.
 * <p>
 * Plain fields belong to the vCPU's thread, except {@code runner} and {@code closed}, guarded by this object's
 * monitor (control path).
 */
public final class Vcpu implements Agent
{
    private final Domain domain;
    private final int vcpuId;
    private final VcpuContext context;
    private final SharedInfoFlyweight sharedInfo;
    private final NanoClock clock;
    private final IdleStrategy pollIdle;
    private final long maxBlockNs;
    private final VcpuIdle idle = new VcpuIdle();
    private final String roleName;
    private GuestCode code;

    private boolean started;
    private boolean blockRequested;
    private boolean singleshotArmed;
    private long singleshotDeadlineNs;
    private long periodNs;
    private long nextPeriodicNs;

    private volatile boolean blocked;
    private volatile boolean stopRequested;
    private volatile Thread thread;
    private AgentRunner runner;
    private boolean closed;

    Vcpu(
        final Domain domain,
        final int vcpuId,
        final SharedInfoFlyweight sharedInfo,
        final NanoClock clock,
        final IdleStrategy pollIdle,
        final long maxBlockNs)
    {
        this.maxBlockNs = maxBlockNs;
        this.domain = domain;
        this.vcpuId = vcpuId;
        this.sharedInfo = sharedInfo;
        this.clock = clock;
        this.pollIdle = pollIdle;
        this.context = new VcpuContext(domain, this);
        this.roleName = "pvio-vcpu-d" + domain.domid() + "v" + vcpuId;
    }

    /** Called once while the domain is built, before any thread can run it. */
    void code(final GuestCode code)
    {
        this.code = code;
    }

    public int vcpuId()
    {
        return vcpuId;
    }

    public Domain domain()
    {
        return domain;
    }

    /** The context handed to this vCPU's guest code. */
    public VcpuContext context()
    {
        return context;
    }

    /** The idle strategy to run this agent with (blocking, pausing, polling). */
    public IdleStrategy idleStrategy()
    {
        return idle;
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    @Override
    public void onStart()
    {
        thread = Thread.currentThread();
    }

    @Override
    public int doWork()
    {
        if (stopRequested || domain.state() != DomainState.RUNNING)
        {
            return 0;
        }
        try
        {
            if (!started)
            {
                started = true;
                code.onStart(context);
            }
            int work = fireTimers(clock.nanoTime());
            work += deliverUpcall();
            work += code.doWork(context);
            return work;
        }
        catch (final Throwable ex)
        {
            domain.crash(ex);
            return 0;
        }
    }

    @Override
    public void onClose()
    {
        try
        {
            if (started)
            {
                code.onStop(context);
            }
        }
        catch (final Throwable ignore)
        {
            // the domain is going away anyway; its stop hook failing changes nothing.
        }
        finally
        {
            thread = null;
        }
    }

    // ---- safe point ----

    /** Runs the guest's upcall if one is pending and upcalls are enabled. @return 1 if it ran. */
    int deliverUpcall()
    {
        if (!upcallDeliverable())
        {
            return 0;
        }
        // the hypervisor masks upcalls on callback entry and the guest's return unmasks them (Xen PV callback).
        sharedInfo.upcallMask(vcpuId, true);
        try
        {
            code.onUpcall(context);
        }
        finally
        {
            sharedInfo.upcallMask(vcpuId, false);
        }
        return 1;
    }

    /**
     * {@link #deliverUpcall()} for guest code calling in ({@link VcpuContext#pollEvents()}), possibly from a thread
     * that outlives the domain: every touch of shared_info happens entered, so once teardown has begun (and the
     * frame may go to another domain) nothing is written. Guest code itself runs outside the hold.
     */
    int deliverUpcallFromGuest()
    {
        long stamp = domain.tryEnter();
        if (stamp == 0)
        {
            return 0;
        }
        try
        {
            if (!upcallDeliverable())
            {
                return 0;
            }
            sharedInfo.upcallMask(vcpuId, true);
        }
        finally
        {
            domain.exit(stamp);
        }
        try
        {
            code.onUpcall(context);
        }
        finally
        {
            stamp = domain.tryEnter();
            if (stamp != 0)
            {
                try
                {
                    sharedInfo.upcallMask(vcpuId, false);
                }
                finally
                {
                    domain.exit(stamp);
                }
            }
        }
        return 1;
    }

    private boolean upcallDeliverable()
    {
        return sharedInfo.upcallPending(vcpuId) && !sharedInfo.upcallMask(vcpuId);
    }

    // ---- timers (vCPU thread only) ----

    void singleshotTimer(final long deadlineNs)
    {
        singleshotArmed = true;
        singleshotDeadlineNs = deadlineNs;
    }

    void stopSingleshotTimer()
    {
        singleshotArmed = false;
    }

    void periodicTimer(final long periodNs)
    {
        this.periodNs = periodNs;
        this.nextPeriodicNs = clock.nanoTime() + periodNs;
    }

    void stopPeriodicTimer()
    {
        periodNs = 0;
    }

    private int fireTimers(final long nowNs)
    {
        int fired = 0;
        if (singleshotArmed && nowNs - singleshotDeadlineNs >= 0)
        {
            singleshotArmed = false;
            fired++;
        }
        if (periodNs > 0 && nowNs - nextPeriodicNs >= 0)
        {
            // missed periods are not replayed: the next expiry is one period after the latest due one.
            nextPeriodicNs = nowNs - nextPeriodicNs >= periodNs ? nowNs + periodNs : nextPeriodicNs + periodNs;
            fired++;
        }
        if (fired > 0)
        {
            domain.eventChannels().raiseVirq(domain, Virq.TIMER, vcpuId);
        }
        return fired;
    }

    private boolean timerDue(final long nowNs)
    {
        return (singleshotArmed && nowNs - singleshotDeadlineNs >= 0) ||
            (periodNs > 0 && nowNs - nextPeriodicNs >= 0);
    }

    private long parkTimeoutNs(final long nowNs)
    {
        long timeoutNs = maxBlockNs;
        if (singleshotArmed)
        {
            timeoutNs = Math.min(timeoutNs, singleshotDeadlineNs - nowNs);
        }
        if (periodNs > 0)
        {
            timeoutNs = Math.min(timeoutNs, nextPeriodicNs - nowNs);
        }
        return Math.max(timeoutNs, 1);
    }

    // ---- blocking and waking ----

    /** {@code SCHEDOP_block} from guest code: park after this cycle until there is something to do. */
    void requestBlock()
    {
        // guest code may call this from any thread, even after teardown released the shared_info frame to another
        // domain: write it only while entered.
        final long stamp = domain.tryEnter();
        if (stamp == 0)
        {
            return;
        }
        try
        {
            // sched.h: SCHEDOP_block re-enables event delivery before blocking.
            sharedInfo.upcallMask(vcpuId, false);
            blockRequested = true;
        }
        finally
        {
            domain.exit(stamp);
        }
    }

    /** Whether the guest asked to block in the cycle just run (MANUAL scheduling and tests). */
    public boolean isBlockRequested()
    {
        return blockRequested;
    }

    /** Whether the vCPU's thread is parked (or about to park) waiting for an event. */
    public boolean isBlocked()
    {
        return blocked;
    }

    /**
     * Interrupts a blocked vCPU: called after {@code evtchn_upcall_pending} went 0-&gt;1 with upcalls unmasked.
     * Any thread; allocation-free.
     */
    void kick()
    {
        // delivery set upcall_pending (full fence) before this load: if we read false, the vCPU's re-check in park()
        // will read the pending byte.
        if (blocked)
        {
            final Thread t = thread;
            if (t != null)
            {
                LockSupport.unpark(t);
            }
        }
    }

    /** Wakes the vCPU unconditionally: the domain changed state. */
    void wake()
    {
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    private void park()
    {
        // delivery: once this store is visible, a kick unparks us.
        blocked = true;
        try
        {
            final long nowNs = clock.nanoTime();
            if (!mustWake(nowNs))
            {
                LockSupport.parkNanos(this, parkTimeoutNs(nowNs));
            }
        }
        finally
        {
            // delivery: from here on a kick need not unpark us, we re-check upcall_pending before any sleep.
            blocked = false;
            blockRequested = false;
        }
    }

    private boolean mustWake(final long nowNs)
    {
        return stopRequested ||
            (domain.state() == DomainState.RUNNING && (upcallDeliverable() || timerDue(nowNs)));
    }

    private final class VcpuIdle implements IdleStrategy
    {
        @Override
        public void idle(final int workCount)
        {
            if (workCount > 0)
            {
                pollIdle.reset();
                return;
            }
            idle();
        }

        @Override
        public void idle()
        {
            if (stopRequested)
            {
                return;
            }
            if (domain.state() == DomainState.RUNNING && !blockRequested)
            {
                pollIdle.idle();
                return;
            }
            park();
        }

        @Override
        public void reset()
        {
            pollIdle.reset();
        }
    }

    // ---- thread lifecycle (control path) ----

    /** Starts the vCPU's thread (THREADED scheduling); no-op if started or stopped. */
    synchronized void startThread(final ErrorHandler errorHandler)
    {
        if (runner != null || closed)
        {
            return;
        }
        runner = new AgentRunner(idle, errorHandler, null, this);
        AgentRunner.startOnThread(runner, (r) -> new Thread(r, roleName));
    }

    /**
     * Stops the vCPU and waits for its thread to finish its current cycle and exit. Must not be called from the
     * vCPU's own thread. In MANUAL scheduling the guest's stop hook runs on the caller's thread.
     */
    void stop()
    {
        stopRequested = true;
        wake();
        final AgentRunner toClose;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            toClose = runner;
        }
        if (toClose != null)
        {
            toClose.close();
        }
        else
        {
            onClose();
        }
    }

    /** Whether this is the calling thread's vCPU. */
    boolean isCurrentThread()
    {
        return thread == Thread.currentThread();
    }
}
