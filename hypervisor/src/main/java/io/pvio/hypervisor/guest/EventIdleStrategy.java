package io.pvio.hypervisor.guest;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * An idle strategy for a driver agent that sleeps until it is told there is work: a virtual interrupt (an
 * {@link EventHandler} bound on the domain's {@link UpcallDispatcher} calls {@link #signal()}, as Linux's interrupt
 * handlers wake a driver's kthread) or a local producer (a submitter queueing a request). Idle, it spins for
 * {@code spinNs} first (an answer that arrives within that window costs no wake-up), then parks its thread with no
 * timeout: a lost wake-up is a bug that hangs, never a delay hidden by a timer.
 * <p>
 * The agent must have armed its notification before it parks (ring.h's final check: set {@code rsp_event} or
 * {@code req_event}, full fence, re-read the producer), so that anything published afterwards is followed by an event.
 * It may do so in its duty cycle, as soon as it finds nothing to do; or, better, through a {@link ParkGuard}, which
 * this strategy calls only when the spin is over and it is about to park. Then the peer sees no armed event index
 * while the agent spins, and publishes without a kick what the spinning agent picks up anyway (Linux's NAPI and
 * busy polling keep interrupts off while they poll the same way).
 * <p>
 * Dekker's handshake between {@link #idle(int)} and {@link #signal()}: the idler writes {@code parked} then takes
 * the signal (an atomic exchange with false); the signaller writes the signal then reads {@code parked} (volatile and
 * atomic, so sequentially consistent): at least one sees the other, so either the idler does not park or the
 * signaller unparks it (an unpark before the park leaves a permit that makes the park return at once). Taking the
 * signal atomically means a signal is never overwritten by a clear: whoever set it either is seen by this take (and
 * its work, published before the signal, is visible to the duty cycle that follows) or leaves it set for the next.
 * {@link #shutdown()} stops parking for good, so an {@code AgentRunner} closing the agent never waits for an event.
 * <p>
 * <b>Polling while owed answers.</b> An agent that knows work is coming (a front end with requests in flight) can
 * say so ({@link #pollWhile}): then it keeps polling for up to {@code awaitPollNs} (beyond {@code spinNs}) before it
 * parks, as long as it is still owed answers. A back end serving large requests answers every few tens of
 * microseconds, so a front end that parked after {@code spinNs} would be woken for nearly every few responses, and
 * each wake-up costs the back end's thread a hypercall and a thread hand-off (on a virtual machine, an
 * inter-processor interrupt): tens of microseconds. Polling spends the waiting agent's own CPU instead, bounded, as
 * Linux's hybrid block polling does; an agent owed nothing parks after {@code spinNs} as before. A back end can say
 * so too, when it expects work (blkback's ring after serving a batch: its front end refills it as it completes).
 */
public final class EventIdleStrategy implements IdleStrategy
{
    /** Default spin before parking: a little above one event round trip on a quiet machine. */
    public static final long DEFAULT_SPIN_NS = TimeUnit.MICROSECONDS.toNanos(20);
    /**
     * Default longest poll, spin included, of an agent owed answers ({@link #pollWhile}): several 1 MiB requests'
     * worth of I/O from the page cache, so a busy sequential stream never parks its front end.
     */
    public static final long DEFAULT_AWAIT_POLL_NS = TimeUnit.MICROSECONDS.toNanos(250);

    /**
     * The agent's last word before its thread parks: arm the event(s) that announce new work, then look once more.
     * Called on the agent thread.
     */
    @FunctionalInterface
    public interface ParkGuard
    {
        /**
         * Arms notification (e.g. ring.h's final check) and re-checks for work published meanwhile.
         *
         * @return true if there is still nothing to do (park); false if work turned up (run the duty cycle again).
         */
        boolean armAndStillIdle();
    }

    private final long spinNs;
    private final long awaitPollNs;
    private ParkGuard parkGuard;
    /** Whether the agent is owed answers now ({@link #pollWhile}); {@code null}: never. */
    private BooleanSupplier awaitingWork;
    private final AtomicLong parks = new AtomicLong();
    private final AtomicLong wakeups = new AtomicLong();
    private final AtomicBoolean signalled = new AtomicBoolean();
    private volatile Thread thread;
    private volatile boolean parked;
    private volatile boolean shutdown;
    private long idleSinceNs = -1;
    private long parkLimitNs = -1;

    public EventIdleStrategy()
    {
        this(DEFAULT_SPIN_NS, DEFAULT_AWAIT_POLL_NS);
    }

    /** Spins for {@code spinNs}; an agent owed answers polls for {@link #defaultAwaitPollNs(long)}. */
    public EventIdleStrategy(final long spinNs)
    {
        this(spinNs, defaultAwaitPollNs(spinNs));
    }

    /**
     * The poll of an agent owed answers that goes with a spin of {@code spinNs}: {@link #DEFAULT_AWAIT_POLL_NS}, or
     * {@code spinNs} if longer; 0 with {@code spinNs} 0, which parks at the first idle cycle whatever it is owed.
     */
    public static long defaultAwaitPollNs(final long spinNs)
    {
        return spinNs <= 0 ? 0 : Math.max(spinNs, DEFAULT_AWAIT_POLL_NS);
    }

    /**
     * @param spinNs      how long to spin before parking; 0 parks at the first idle cycle.
     * @param awaitPollNs how long, spin included, an agent owed answers ({@link #pollWhile}) polls before parking; at
     *                    least {@code spinNs}.
     */
    public EventIdleStrategy(final long spinNs, final long awaitPollNs)
    {
        if (spinNs < 0)
        {
            throw new IllegalArgumentException("spinNs must be >= 0: " + spinNs);
        }
        if (awaitPollNs < spinNs)
        {
            throw new IllegalArgumentException("awaitPollNs must be >= spinNs (" + spinNs + "): " + awaitPollNs);
        }
        this.spinNs = spinNs;
        this.awaitPollNs = awaitPollNs;
    }

    /** There is work: the idler's next (or current) idle returns. Any thread; never blocks. */
    public void signal()
    {
        // the work this signals was published before this store; the store is ordered before the read of parked
        signalled.set(true);
        if (parked)
        {
            wakeups.incrementAndGet();
            final Thread idler = thread;
            if (idler != null)
            {
                LockSupport.unpark(idler);
            }
        }
    }

    /**
     * Sets what to call just before parking ({@link ParkGuard}); {@code null} for nothing (the agent arms its events in
     * its duty cycle). Set it before the agent runs.
     */
    public void parkGuard(final ParkGuard guard)
    {
        this.parkGuard = guard;
    }

    /**
     * Says when the agent is owed answers (called on the agent thread, once an idle period passes {@code spinNs}):
     * while it is, an idle period polls for up to {@code awaitPollNs} before parking. Set it before the agent runs.
     */
    public void pollWhile(final BooleanSupplier awaitingWork)
    {
        this.awaitingWork = awaitingWork;
    }

    /** How long an agent owed answers polls before it parks, spin included. */
    public long awaitPollNs()
    {
        return awaitPollNs;
    }

    /** Never park again (the agent is being closed). */
    public void shutdown()
    {
        shutdown = true;
        signalled.set(true);
        final Thread idler = thread;
        if (idler != null)
        {
            LockSupport.unpark(idler);
        }
    }

    /**
     * The next park lasts at most {@code limitNs}: for an agent with something to retry later that no event will
     * announce (e.g. a grant the peer still maps). Agent thread only; applies to one park.
     */
    public void wakeWithin(final long limitNs)
    {
        parkLimitNs = parkLimitNs < 0 ? limitNs : Math.min(parkLimitNs, limitNs);
    }

    /** Times the idler parked. */
    public long parks()
    {
        return parks.get();
    }

    /** Signals that found the idler parked (or about to park) and unparked it. */
    public long wakeups()
    {
        return wakeups.get();
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
            return;
        }
        idle();
    }

    @Override
    public void idle()
    {
        if (shutdown || signalled.getAndSet(false))
        {
            // a signal since the last take: run the duty cycle again
            idleSinceNs = -1;
            return;
        }
        final long nowNs = System.nanoTime();
        if (idleSinceNs < 0)
        {
            idleSinceNs = nowNs;
        }
        final long idleNs = nowNs - idleSinceNs;
        if (idleNs < spinNs || (idleNs < awaitPollNs && awaitingWork != null && awaitingWork.getAsBoolean()))
        {
            Thread.onSpinWait();
            return;
        }
        final ParkGuard guard = parkGuard;
        if (guard != null && !guard.armAndStillIdle())
        {
            // work was published before the event was armed: take it now, and spin again when idle again
            idleSinceNs = -1;
            return;
        }
        if (thread == null)
        {
            thread = Thread.currentThread();
        }
        parked = true;
        // Dekker: parked is published before the signal is taken
        final long limitNs = parkLimitNs;
        final long parkedAtNs = limitNs < 0 ? 0 : System.nanoTime();
        // an interrupt (AgentRunner.close without shutdown) ends the park and is left set for the runner to see
        while (!signalled.getAndSet(false) && !shutdown && !Thread.currentThread().isInterrupted())
        {
            parks.incrementAndGet();
            if (limitNs < 0)
            {
                LockSupport.park(this);
            }
            else
            {
                final long leftNs = limitNs - (System.nanoTime() - parkedAtNs);
                if (leftNs <= 0)
                {
                    break;
                }
                LockSupport.parkNanos(this, leftNs);
            }
        }
        parked = false;
        parkLimitNs = -1;
        idleSinceNs = -1;
    }

    @Override
    public void reset()
    {
        idleSinceNs = -1;
    }

    @Override
    public String alias()
    {
        return "event";
    }
}
