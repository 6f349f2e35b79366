package io.pvio.examples.bench.ring;

import org.agrona.concurrent.IdleStrategy;

/**
 * How the peers' ends wait (and every end in the round-trip benchmark): busy-spin for up to {@code spinLimit}
 * consecutive empty polls, then yield the processor on each further empty poll (the pattern of the Disruptor's
 * {@code YieldingWaitStrategy}). They never sleep, so they never pay for a wake-up; yielding only lets another
 * runnable thread, such as the other end on an oversubscribed machine, use the core. While the pipeline is paused
 * between iterations, a back end parks instead (a front end is never paused: it drives the pipeline).
 */
final class SpinYieldIdleStrategy implements IdleStrategy
{
    /** Spin limit meaning "never yield": pure busy-spinning. */
    static final int SPIN_FOREVER = Integer.MAX_VALUE;

    private final BackEndControl control;
    private final int spinLimit;
    private int emptyPolls;

    private SpinYieldIdleStrategy(final BackEndControl control, final int spinLimit)
    {
        this.control = control;
        this.spinLimit = spinLimit;
    }

    /**
     * For a back end: parks while {@code control} is paused.
     *
     * @param spinLimit empty polls spun before yielding, or {@link #SPIN_FOREVER}.
     */
    static SpinYieldIdleStrategy forBackEnd(final BackEndControl control, final int spinLimit)
    {
        return new SpinYieldIdleStrategy(control, spinLimit);
    }

    /**
     * For a front end, which never parks.
     *
     * @param spinLimit empty polls spun before yielding, or {@link #SPIN_FOREVER}.
     */
    static SpinYieldIdleStrategy forFrontEnd(final int spinLimit)
    {
        return new SpinYieldIdleStrategy(null, spinLimit);
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
        if (control != null && control.isPaused())
        {
            emptyPolls = 0;
            control.parkWhilePaused();
        }
        else if (emptyPolls < spinLimit)
        {
            emptyPolls++;
            Thread.onSpinWait();
        }
        else
        {
            Thread.yield();
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
        return spinLimit == SPIN_FOREVER ? "busy-spin" : "spin-then-yield";
    }
}
