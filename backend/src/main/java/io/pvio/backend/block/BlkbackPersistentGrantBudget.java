package io.pvio.backend.block;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many grant mappings all the rings of one device may keep together with {@code feature-persistent} (Linux's
 * {@code max_persistent_grants} module parameter bounds the same thing), and how long one may go unused before its
 * ring unmaps it ({@code persistent_grant_unused_seconds}): a ring claims one before it maps a grant to keep, gives
 * one back when it unmaps an idle one, and gives back its whole share when it goes. A ring that cannot claim grant-copies instead, so neither one
 * front end nor one busy ring can make the back end hold more mappings than this. Shared by the rings' agent threads
 * (an atomic count, no lock); allocation-free. {@link BlkbackXenbus} makes one per connected device; whoever builds
 * {@link BlkbackRing}s by hand gives all the rings of a device the same one.
 * <pre>{@code
 * if (budget.tryClaim()) { handle = map(...); if (handle < 0) budget.release(1); }
 * ...
 * budget.release(kept); // when the ring goes
 * }</pre>
 */
public final class BlkbackPersistentGrantBudget
{
    /**
     * A kept mapping no request used for this long is unmapped by default: Linux blkback's {@code
     * persistent_grant_unused_seconds}, 60.
     */
    public static final long DEFAULT_IDLE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    private final int limit;
    private final long idleTimeoutNs;
    private final AtomicInteger available;

    /**
     * @param limit mappings the device's rings may keep together; 0 keeps none (everything is grant-copied).
     * @throws IllegalArgumentException if {@code limit} is negative.
     */
    public BlkbackPersistentGrantBudget(final int limit)
    {
        this(limit, DEFAULT_IDLE_TIMEOUT_NS);
    }

    /**
     * @param limit         mappings the device's rings may keep together; 0 keeps none (everything is grant-copied).
     * @param idleTimeoutNs a ring unmaps a kept grant that no request used for longer than this.
     * @throws IllegalArgumentException if {@code limit} is negative or {@code idleTimeoutNs} not positive.
     */
    public BlkbackPersistentGrantBudget(final int limit, final long idleTimeoutNs)
    {
        if (limit < 0)
        {
            throw new IllegalArgumentException("persistent grant budget must not be negative: " + limit);
        }
        if (idleTimeoutNs <= 0)
        {
            throw new IllegalArgumentException("persistent grant idle timeout must be positive: " + idleTimeoutNs);
        }
        this.limit = limit;
        this.idleTimeoutNs = idleTimeoutNs;
        this.available = new AtomicInteger(limit);
    }

    /** The device's bound. */
    public int limit()
    {
        return limit;
    }

    /** How long a kept mapping may go unused before its ring unmaps it. */
    public long idleTimeoutNs()
    {
        return idleTimeoutNs;
    }

    /** Mappings the device's rings may still keep. */
    public int available()
    {
        return available.get();
    }

    /**
     * Takes one mapping from the budget. Pair with {@link #release}.
     *
     * @return false if the rings keep as many as the bound allows already.
     */
    boolean tryClaim()
    {
        while (true)
        {
            final int now = available.get();
            if (now == 0)
            {
                return false;
            }
            // another ring's claim or release in between fails the swap, and we look again
            if (available.compareAndSet(now, now - 1))
            {
                return true;
            }
        }
    }

    /** Gives back {@code count} claimed mappings (unmapped, or never mapped). */
    void release(final int count)
    {
        final int after = available.addAndGet(count);
        if (count < 0 || after > limit)
        {
            available.addAndGet(-count);
            throw new IllegalStateException("released " + count + " mappings that were not claimed: " + after +
                " of " + limit);
        }
    }
}
