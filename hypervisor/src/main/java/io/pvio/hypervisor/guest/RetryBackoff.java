package io.pvio.hypervisor.guest;

import java.util.concurrent.TimeUnit;

/**
 * When an agent should next try to give back grants the back end still maps (no event says when it unmaps one):
 * {@link #MIN_DELAY_NS} after the first try or one that gave something back, then twice as long each time a retry
 * that fell due gave nothing back, up to {@link #MAX_DELAY_NS}; so a back end that never unmaps costs a wake-up a
 * second, not a thousand. Duty cycles that run before the retry is due (events, a spinning idle strategy) do not
 * lengthen the wait. Times come from the caller's clock. Single-threaded: the owning agent's.
 * <pre>{@code
 * final int released = backoff.isDue(nowNs) ? retryReleases() : 0;
 * if (stillHeld()) { idle.wakeWithin(backoff.waitNs(nowNs, released > 0)); } else { backoff.reset(); }
 * }</pre>
 */
public final class RetryBackoff
{
    public static final long MIN_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(1);
    public static final long MAX_DELAY_NS = TimeUnit.SECONDS.toNanos(1);

    private boolean armed;
    private long delayNs = MIN_DELAY_NS;
    private long dueNs;

    /** Whether the next retry is due at {@code nowNs} (it always is when nothing was held). */
    public boolean isDue(final long nowNs)
    {
        return !armed || nowNs - dueNs >= 0;
    }

    /**
     * How long from {@code nowNs} until the next retry, after a duty cycle that gave back something
     * ({@code progress}: the shortest wait again) or nothing: then, if the retry was due, twice the last wait (at most
     * {@link #MAX_DELAY_NS}) from now, else what is left of the current one.
     */
    public long waitNs(final long nowNs, final boolean progress)
    {
        if (progress || !armed)
        {
            armed = true;
            delayNs = MIN_DELAY_NS;
            dueNs = nowNs + delayNs;
        }
        else if (nowNs - dueNs >= 0)
        {
            delayNs = Math.min(delayNs * 2, MAX_DELAY_NS);
            dueNs = nowNs + delayNs;
        }
        return dueNs - nowNs;
    }

    /** Nothing is held any more: the next retry is due at once, then waits the shortest again. */
    public void reset()
    {
        armed = false;
        delayNs = MIN_DELAY_NS;
    }
}
