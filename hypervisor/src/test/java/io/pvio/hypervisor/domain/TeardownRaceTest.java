package io.pvio.hypervisor.domain;

import io.pvio.hypervisor.ScriptedGuest;
import io.pvio.hypervisor.TestHypervisor;
import io.pvio.hypervisor.evtchn.PortState;
import io.pvio.hypervisor.grant.GrantCopyBatch;
import io.pvio.hypervisor.grant.GrantStatus;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.guest.IdleGuest;
import io.pvio.hypervisor.hypercall.Hypercalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Destroying a running domain while another domain maps, copies and signals it as fast as it can: every operation
 * either succeeds or fails with a status, nothing throws, and once the worker has unmapped everything, every frame of
 * the dead domain is back in the pool.
 */
class TeardownRaceTest
{
    private static final long DATA_GFN = 5;

    private final TestHypervisor t = TestHypervisor.boot(256);

    @AfterEach
    void close()
    {
        t.close();
    }

    @Test
    void destroyUnderFireIsSafe() throws InterruptedException
    {
        final int freeBefore = t.hv.memory().freeFrameCount();
        final Domain victim = t.createRunning(new DomainConfig().name("victim").memoryPages(8).image(IdleGuest.image()));
        final Domain worker = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])));
        final GrantAccess grants = new GrantAccess(victim.guestMemory(), victim.startInfo());
        final int ref = grants.grantAccess(worker.domid(), DATA_GFN, false);
        final Hypercalls ops = worker.hypercalls();
        final int victimPort = victim.hypercalls().eventChannel().allocUnbound(worker.domid());
        final int workerPort = ops.eventChannel().bindInterdomain(victim.domid(), victimPort);

        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong rounds = new AtomicLong();
        final AtomicLong mapsAfterDeath = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread workerThread = new Thread(
            () -> hammer(victim, ops, ref, workerPort, stop, rounds, mapsAfterDeath, failure), "worker");
        workerThread.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() > 1_000);
        t.dom0Hypercalls().domctl().destroyDomain(victim.domid());
        final long roundsAtDeath = rounds.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> rounds.get() > roundsAtDeath + 1_000 || failure.get() != null);
        stop.set(true);
        workerThread.join();

        assertNull(failure.get());
        assertEquals(0, mapsAfterDeath.get(), "a dead domain's grants cannot be mapped");
        assertEquals(0, worker.maptrack().inUse());
        assertEquals(PortState.UNBOUND, ops.eventChannel().status(workerPort).state());
        assertEquals(0, t.hv.memory().countFramesOwnedBy(victim.token()));
        t.dom0Hypercalls().domctl().destroyDomain(worker.domid());
        assertEquals(freeBefore, t.hv.memory().freeFrameCount());
        assertTrue(roundsAtDeath > 0);
    }

    private static void hammer(
        final Domain victim,
        final Hypercalls ops,
        final int ref,
        final int workerPort,
        final AtomicBoolean stop,
        final AtomicLong rounds,
        final AtomicLong mapsAfterDeath,
        final AtomicReference<Throwable> failure)
    {
        final GrantCopyBatch batch = new GrantCopyBatch(2);
        try
        {
            while (!stop.get())
            {
                final boolean deadBefore = victim.state() == DomainState.DEAD;
                final int handle = ops.grantTable().mapGrantRef(victim.domid(), ref, false);
                if (handle >= 0)
                {
                    ops.grantTable().writableView(handle).putLong(0, rounds.get());
                    assertEquals(GrantStatus.OKAY, ops.grantTable().unmapGrantRef(handle));
                    if (deadBefore)
                    {
                        mapsAfterDeath.incrementAndGet();
                    }
                }
                batch.clear();
                batch.addFromGrant(victim.domid(), ref, 0, DATA_GFN, 0, 64);
                batch.addToGrant(DATA_GFN, 0, victim.domid(), ref, 64, 64);
                ops.grantTable().copy(batch);
                assertEquals(0, ops.eventChannel().send(workerPort));
                rounds.incrementAndGet();
            }
        }
        catch (final Throwable ex)
        {
            failure.set(ex);
        }
    }
}
