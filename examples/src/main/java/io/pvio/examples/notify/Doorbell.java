package io.pvio.examples.notify;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Keeps a {@link Doorbell}'s fields off the cache line of whatever was allocated before it. */
abstract class DoorbellLeftPadding
{
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** The doorbell's state: the kick count (kicking side), the sleep count and the sleeper (sleeping side). */
abstract class DoorbellFields extends DoorbellLeftPadding
{
    static final VarHandle KICK_COUNT;
    static final VarHandle SLEEP_COUNT;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            KICK_COUNT = lookup.findVarHandle(DoorbellFields.class, "kickCount", long.class);
            SLEEP_COUNT = lookup.findVarHandle(DoorbellFields.class, "sleepCount", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    long kickCount;
    long sleepCount;
    volatile Thread sleeper;
}

/**
 * One direction of notification between the two ends of a pvio ring in one JVM: the analog of a Xen event channel.
 * The producing side {@link #kick() kicks} it after publishing entries (when the ring says to notify); the consuming
 * side, having found no work, {@link #sleepUnless sleeps} on it.
 * <p>
 * No wake-up is lost: the sleeper announces itself (volatile store) before its final re-check of the producer index,
 * and the kicker reads the sleeper (volatile load) only after its volatile producer-index store. With both pairs
 * sequentially consistent, either the kicker sees the sleeper and unparks it, or the sleeper's re-check sees the new
 * entries and it does not park. An unpark that arrives before the park leaves a permit, so the park returns at once.
 * <p>
 * One thread kicks and one thread sleeps. The kick count is written by the kicking thread only, the sleep count by
 * the sleeping thread only; both may be read by any thread. The fields are padded to a cache line of their own on
 * both sides: the two doorbells of a ring are kicked from different threads.
 */
public final class Doorbell extends DoorbellFields
{
    long p10, p11, p12, p13, p14, p15, p16, p17;

    /** Kicking side: count one notification and wake the sleeper if there is one. */
    public void kick()
    {
        // readers of kicks() see a count no greater than the kicks made; single writer, so no read-modify-write.
        KICK_COUNT.setRelease(this, kickCount + 1);
        // ordered after the caller's volatile producer-index store: a sleeper that missed our entries is seen here.
        final Thread thread = sleeper;
        if (thread != null)
        {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Sleeping side: parks until kicked unless {@code wakeCondition} holds. The condition must be the final re-check
     * (e.g. {@code finalCheckForRequests()}), performed after this method has announced the sleeper. Returns on a
     * kick, on a spurious wake-up or at once if the condition holds; callers loop.
     */
    public void sleepUnless(final BooleanSupplier wakeCondition)
    {
        // the kicker reads this after publishing: it cannot both miss us here and have its entries missed below.
        sleeper = Thread.currentThread();
        if (!wakeCondition.getAsBoolean())
        {
            // readers of sleeps() see a count no greater than the parks made; single writer.
            SLEEP_COUNT.setRelease(this, sleepCount + 1);
            LockSupport.park(this);
        }
        // the kicker stops unparking us; a late unpark only leaves a harmless permit.
        sleeper = null;
    }

    /** Wakes the sleeper, if any, without counting a kick (used when the other side fails). */
    public void wakeSleeper()
    {
        final Thread thread = sleeper;
        if (thread != null)
        {
            LockSupport.unpark(thread);
        }
    }

    /** Times the sleeping side parked so far (each ends with a kick, a spurious wake-up, or an unpark). */
    public long sleeps()
    {
        // pairs with the release store in sleepUnless().
        return (long)SLEEP_COUNT.getAcquire(this);
    }

    /** Notifications made so far. */
    public long kicks()
    {
        // pairs with the release store in kick().
        return (long)KICK_COUNT.getAcquire(this);
    }
}
