package io.pvio.hypervisor.guest;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventIdleStrategyTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aSignalBeforeIdlingIsTakenWithoutParking()
    {
        final EventIdleStrategy idle = new EventIdleStrategy(0);
        idle.signal();
        idle.idle(0);
        assertEquals(0, idle.parks());
    }

    @Test
    void workResetsAndSpinningPrecedesParking()
    {
        final EventIdleStrategy idle = new EventIdleStrategy(TimeUnit.SECONDS.toNanos(60));
        for (int i = 0; i < 1000; i++)
        {
            idle.idle(0); // within the spin window: returns at once
        }
        idle.idle(1);
        assertEquals(0, idle.parks());
    }

    @Test
    void theParkGuardRunsOnlyWhenTheSpinIsOverAndWorkItFindsPreventsThePark()
    {
        final AtomicLong guardCalls = new AtomicLong();
        final EventIdleStrategy spinning = new EventIdleStrategy(TimeUnit.SECONDS.toNanos(60));
        spinning.parkGuard(() ->
        {
            guardCalls.incrementAndGet();
            return true;
        });
        for (int i = 0; i < 1000; i++)
        {
            spinning.idle(0);
        }
        assertEquals(0, guardCalls.get(), "nothing is armed while the agent spins");

        final EventIdleStrategy idle = new EventIdleStrategy(0);
        idle.parkGuard(() ->
        {
            guardCalls.incrementAndGet();
            return false; // the final check found work published before the event was armed
        });
        for (int i = 0; i < 100; i++)
        {
            idle.idle(0);
        }
        assertEquals(100, guardCalls.get(), "armed and re-checked at every attempt to park");
        assertEquals(0, idle.parks(), "work found by the guard is taken, never slept on");
    }

    @Test
    void anAgentOwedAnswersPollsPastItsSpinAndTriesToParkOnceOwedNothing()
    {
        final AtomicLong guardCalls = new AtomicLong();
        final AtomicBoolean owed = new AtomicBoolean(true);
        final EventIdleStrategy idle = new EventIdleStrategy(0, TimeUnit.SECONDS.toNanos(60));
        idle.parkGuard(() ->
        {
            guardCalls.incrementAndGet();
            return false; // never really park: the test counts the attempts
        });
        idle.pollWhile(owed::get);
        for (int i = 0; i < 1000; i++)
        {
            idle.idle(0);
        }
        assertEquals(0, guardCalls.get(), "owed answers: it polls, nothing armed");
        owed.set(false);
        idle.idle(0);
        assertEquals(1, guardCalls.get(), "owed nothing: past its (zero) spin it goes to park at once");
    }

    @Test
    void thePollForAnswersIsBounded()
    {
        final long awaitPollNs = TimeUnit.MILLISECONDS.toNanos(2);
        final AtomicLong guardCalls = new AtomicLong();
        final EventIdleStrategy idle = new EventIdleStrategy(0, awaitPollNs);
        idle.parkGuard(() ->
        {
            guardCalls.incrementAndGet();
            return false;
        });
        idle.pollWhile(() -> true);
        final long startNs = System.nanoTime();
        while (guardCalls.get() == 0)
        {
            idle.idle(0);
        }
        assertTrue(System.nanoTime() - startNs >= awaitPollNs, "it went to park before its poll was over");
    }

    @Test
    void thePollForAnswersDefaultsAndItsBounds()
    {
        assertEquals(EventIdleStrategy.DEFAULT_AWAIT_POLL_NS, new EventIdleStrategy().awaitPollNs());
        assertEquals(EventIdleStrategy.DEFAULT_AWAIT_POLL_NS,
            new EventIdleStrategy(EventIdleStrategy.DEFAULT_SPIN_NS).awaitPollNs());
        assertEquals(0, new EventIdleStrategy(0).awaitPollNs(), "spin 0 parks at the first idle cycle");
        assertEquals(TimeUnit.SECONDS.toNanos(1), new EventIdleStrategy(TimeUnit.SECONDS.toNanos(1)).awaitPollNs());
        assertThrows(IllegalArgumentException.class, () -> new EventIdleStrategy(1000, 999));
        assertThrows(IllegalArgumentException.class, () -> new EventIdleStrategy(-1, 0));
    }

    @Test
    void anIdlerWhoseGuardFindsNothingParksUntilSignalled() throws Exception
    {
        final EventIdleStrategy idle = new EventIdleStrategy(0);
        final AtomicLong guardCalls = new AtomicLong();
        idle.parkGuard(() -> guardCalls.incrementAndGet() > 0);
        final Thread idler = new Thread(() -> idle.idle(0));
        idler.start();
        await().atMost(WAIT).until(() -> idler.getState() == Thread.State.WAITING);
        assertEquals(1, guardCalls.get());
        idle.signal();
        idler.join(WAIT.toMillis());
        assertTrue(!idler.isAlive());
        assertEquals(1, idle.parks());
    }

    @Test
    void anIdlerParksUntilSignalled() throws Exception
    {
        final EventIdleStrategy idle = new EventIdleStrategy(0);
        final Thread idler = new Thread(() -> idle.idle(0));
        idler.start();
        await().atMost(WAIT).until(() -> idler.getState() == Thread.State.WAITING && idle.parks() > 0);
        idle.signal();
        idler.join(WAIT.toMillis());
        assertTrue(!idler.isAlive(), "the signal woke the idler");
        assertEquals(1, idle.wakeups());
    }

    @Test
    void shutdownWakesAndNeverParksAgain() throws Exception
    {
        final EventIdleStrategy idle = new EventIdleStrategy(0);
        final Thread idler = new Thread(() -> idle.idle(0));
        idler.start();
        await().atMost(WAIT).until(() -> idler.getState() == Thread.State.WAITING);
        idle.shutdown();
        idler.join(WAIT.toMillis());
        assertTrue(!idler.isAlive());
        final long parks = idle.parks();
        for (int i = 0; i < 100; i++)
        {
            idle.idle(0);
        }
        assertEquals(parks, idle.parks());
    }

    @Test
    void anAgentRunnerClosedWithoutShutdownStillStops()
    {
        final EventIdleStrategy idle = new EventIdleStrategy(0);
        final org.agrona.concurrent.AgentRunner runner = new org.agrona.concurrent.AgentRunner(idle, e -> { }, null,
            new org.agrona.concurrent.Agent()
            {
                public int doWork()
                {
                    return 0;
                }

                public String roleName()
                {
                    return "idler";
                }
            });
        org.agrona.concurrent.AgentRunner.startOnThread(runner);
        await().atMost(WAIT).until(() -> idle.parks() > 0);
        // close interrupts the parked thread after its first join times out; the park must end, not spin
        assertTimeoutPreemptively(WAIT, () ->
        {
            runner.close();
        });
        assertTrue(runner.isClosed());
    }

    @Test
    void wakeWithinBoundsOneParkOnly()
    {
        final EventIdleStrategy idle = new EventIdleStrategy(0);
        idle.wakeWithin(TimeUnit.MILLISECONDS.toNanos(5));
        assertTimeoutPreemptively(WAIT, () -> idle.idle(0)); // returns with no signal once the limit passes
        assertTrue(idle.parks() >= 1);
    }

    /**
     * Two agents hand a token back and forth, each parking (no spin) between turns: a wake-up lost in the race
     * between parking and signalling would hang the exchange.
     */
    @Test
    void noWakeupIsLostInAPingPongThatParksEveryTurn()
    {
        final int rounds = 20_000;
        final AtomicLong ping = new AtomicLong();
        final AtomicLong pong = new AtomicLong();
        final EventIdleStrategy pingIdle = new EventIdleStrategy(0);
        final EventIdleStrategy pongIdle = new EventIdleStrategy(0);
        assertTimeoutPreemptively(WAIT, () ->
        {
            final Thread ponger = new Thread(() ->
            {
                long seen = 0;
                while (seen < rounds)
                {
                    if (ping.get() > seen)
                    {
                        seen = ping.get();
                        pong.set(seen); // published before the signal
                        pingIdle.signal();
                        pongIdle.reset();
                    }
                    else
                    {
                        pongIdle.idle(0);
                    }
                }
            });
            ponger.start();
            for (long round = 1; round <= rounds; round++)
            {
                ping.set(round);
                pongIdle.signal();
                while (pong.get() < round)
                {
                    pingIdle.idle(0);
                }
            }
            ponger.join();
        });
        assertTrue(pingIdle.parks() + pongIdle.parks() > 0, "the exchange really parked");
    }
}
