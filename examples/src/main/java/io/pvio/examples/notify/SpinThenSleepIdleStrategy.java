package io.pvio.examples.notify;

import org.agrona.concurrent.IdleStrategy;

import java.util.function.BooleanSupplier;

/**
 * How a pvio ring end waits under load: it keeps polling for up to {@link #SPIN_LIMIT} consecutive empty polls,
 * then yields the processor for up to {@link #YIELD_LIMIT} more, and only then goes to sleep on its
 * {@link Doorbell}, after the ring's final check ({@code finalCheckForRequests()} / {@code finalCheckForResponses()})
 * has armed the event index. Short gaps between batches are bridged without a notification, so a busy ring needs
 * almost no kicks; an idle ring costs no CPU.
 */
public final class SpinThenSleepIdleStrategy implements IdleStrategy
{
    /** Empty polls spun before yielding: at roughly 10-100 ns each, tens to hundreds of microseconds. */
    public static final int SPIN_LIMIT = 2_000;
    /** Empty polls that yield before sleeping. */
    public static final int YIELD_LIMIT = 100;

    private final Doorbell doorbell;
    private final BooleanSupplier wakeCondition;
    private int emptyPolls;

    /**
     * @param doorbell      the doorbell the other side kicks.
     * @param wakeCondition the final check, run after the sleeper is announced: true if work arrived (or the side
     *                      must not sleep, e.g. it is stopping); it arms the event index when it returns false.
     */
    public SpinThenSleepIdleStrategy(final Doorbell doorbell, final BooleanSupplier wakeCondition)
    {
        this.doorbell = doorbell;
        this.wakeCondition = wakeCondition;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            emptyPolls = 0;
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (emptyPolls < SPIN_LIMIT)
        {
            emptyPolls++;
            Thread.onSpinWait();
        }
        else if (emptyPolls < SPIN_LIMIT + YIELD_LIMIT)
        {
            emptyPolls++;
            Thread.yield();
        }
        else
        {
            emptyPolls = 0;
            doorbell.sleepUnless(wakeCondition);
        }
    }

    @Override
    public void reset()
    {
        emptyPolls = 0;
    }

    @Override
    public String alias()
    {
        return "spin-yield-sleep";
    }
}
