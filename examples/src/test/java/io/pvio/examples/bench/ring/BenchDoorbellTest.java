package io.pvio.examples.bench.ring;

import io.pvio.examples.notify.Doorbell;
import io.pvio.examples.notify.SpinThenSleepIdleStrategy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The doorbell the pvio ring ends sleep on: no lost wake-up, whichever side gets there first. */
class BenchDoorbellTest
{
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void sleeperWakesWhenKickedAfterItParked()
    {
        final Doorbell doorbell = new Doorbell();
        final AtomicBoolean work = new AtomicBoolean();
        final Thread sleeper = startSleeper(doorbell, work);
        await().atMost(PATIENCE).until(() -> sleeper.getState() == Thread.State.WAITING);

        work.set(true);
        doorbell.kick();

        await().atMost(PATIENCE).until(() -> !sleeper.isAlive());
        assertEquals(1, doorbell.kicks());
        assertTrue(doorbell.sleeps() >= 1, "parked " + doorbell.sleeps() + " times");
    }

    @Test
    void sleeperDoesNotParkWhenWorkArrivedBeforeItsFinalCheck()
    {
        final Doorbell doorbell = new Doorbell();
        final AtomicBoolean work = new AtomicBoolean(true);

        doorbell.sleepUnless(work::get);

        assertEquals(0, doorbell.kicks());
        assertEquals(0, doorbell.sleeps());
    }

    @Test
    void kickBeforeParkLeavesAPermitSoTheSleeperReturns()
    {
        final Doorbell doorbell = new Doorbell();
        final AtomicInteger checks = new AtomicInteger();
        // the kick lands between the sleeper's announcement and its park: the final check misses the work, but the
        // kicker saw the sleeper, so the park returns at once.
        doorbell.sleepUnless(() ->
        {
            checks.incrementAndGet();
            doorbell.kick();
            return false;
        });

        assertEquals(1, checks.get());
        assertEquals(1, doorbell.kicks());
        assertEquals(1, doorbell.sleeps());
    }

    @Test
    void idleStrategySleepsOnlyAfterSpinningAndYielding()
    {
        final Doorbell doorbell = new Doorbell();
        final AtomicInteger finalChecks = new AtomicInteger();
        final SpinThenSleepIdleStrategy idle = new SpinThenSleepIdleStrategy(doorbell, () ->
        {
            finalChecks.incrementAndGet();
            return true;
        });

        for (int i = 0; i < SpinThenSleepIdleStrategy.SPIN_LIMIT + SpinThenSleepIdleStrategy.YIELD_LIMIT; i++)
        {
            idle.idle(0);
        }
        assertEquals(0, finalChecks.get());
        idle.idle(0);
        assertEquals(1, finalChecks.get());

        idle.idle(1);
        idle.idle(0);
        assertEquals(1, finalChecks.get(), "work resets the count of empty polls");
    }

    private static Thread startSleeper(final Doorbell doorbell, final AtomicBoolean work)
    {
        final Thread sleeper = new Thread(() ->
        {
            while (!work.get())
            {
                doorbell.sleepUnless(work::get);
            }
        }, "doorbell-sleeper");
        sleeper.setDaemon(true);
        sleeper.start();
        assertFalse(work.get());
        return sleeper;
    }
}
