package io.pvio.hypervisor.domain;

import io.pvio.hypervisor.ScriptedGuest;
import io.pvio.hypervisor.TestHypervisor;
import io.pvio.hypervisor.evtchn.Virq;
import io.pvio.hypervisor.hypercall.HypercallException;
import io.pvio.hypervisor.hypercall.HypercallOp;
import io.pvio.hypervisor.hypercall.XenErrno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VcpuTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    /** A lost wake-up must fail the test, not be hidden by the vCPU's periodic re-check. */
    private static final long NO_SAFETY_NET_NS = TimeUnit.MINUTES.toNanos(10);

    private final TestHypervisor t = TestHypervisor.boot(256);
    private final ScriptedGuest[] guest = new ScriptedGuest[1];
    private final AtomicInteger ticks = new AtomicInteger();

    @AfterEach
    void close()
    {
        t.close();
    }

    private Domain manualGuestWithTimer()
    {
        final Domain domain = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(guest)));
        final int port = domain.hypercalls().eventChannel().bindVirq(Virq.TIMER, 0);
        guest[0].dispatcher.bind(port, (p) -> ticks.incrementAndGet());
        return domain;
    }

    @Test
    void singleShotTimerRaisesVirqTimerAtItsDeadlineOnly()
    {
        final Domain domain = manualGuestWithTimer();
        final Vcpu vcpu = domain.vcpu(0);
        guest[0].duty = (ctx) ->
        {
            if (ctx.vcpuId() == 0 && guest[0].cycles == 1)
            {
                ctx.setSingleshotTimer(ctx.nanoTime() + 10 * MS);
            }
            return 0;
        };
        vcpu.doWork();
        t.clock.advance(10 * MS - 1);
        vcpu.doWork();
        vcpu.doWork();
        assertEquals(0, ticks.get());

        t.clock.advance(1);
        vcpu.doWork();
        assertEquals(1, ticks.get(), "fired and delivered at the same safe point");
        t.clock.advance(100 * MS);
        vcpu.doWork();
        assertEquals(1, ticks.get(), "single shot");
        assertEquals(2, domain.counters().count(HypercallOp.EVTCHN_BIND_VIRQ) +
            domain.counters().count(HypercallOp.SET_TIMER_OP));
    }

    @Test
    void periodicTimerFiresEveryPeriodWithoutReplayingMissedOnes()
    {
        final Domain domain = manualGuestWithTimer();
        final Vcpu vcpu = domain.vcpu(0);
        guest[0].duty = (ctx) ->
        {
            if (guest[0].cycles == 1)
            {
                ctx.setPeriodicTimer(5 * MS);
            }
            return 0;
        };
        vcpu.doWork();
        for (int i = 1; i <= 3; i++)
        {
            t.clock.advance(5 * MS);
            vcpu.doWork();
            assertEquals(i, ticks.get());
        }
        t.clock.advance(50 * MS);
        vcpu.doWork();
        vcpu.doWork();
        assertEquals(4, ticks.get(), "a long stall gives one tick, not ten");

        guest[0].duty = (ctx) ->
        {
            ctx.stopPeriodicTimer();
            return 0;
        };
        vcpu.doWork();
        t.clock.advance(50 * MS);
        vcpu.doWork();
        assertEquals(4, ticks.get());
    }

    @Test
    void periodUnderOneMillisecondIsRejected()
    {
        final Domain domain = manualGuestWithTimer();
        final AtomicReference<HypercallException> failure = new AtomicReference<>();
        guest[0].duty = (ctx) ->
        {
            try
            {
                ctx.setPeriodicTimer(MS - 1);
            }
            catch (final HypercallException ex)
            {
                failure.set(ex);
            }
            return 0;
        };
        domain.vcpu(0).doWork();
        assertEquals(XenErrno.EINVAL, failure.get().errno());
    }

    @Test
    void upcallWaitsForTheGuestsInterruptFlag()
    {
        final Domain domain = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(guest)));
        final int port = domain.hypercalls().eventChannel().allocUnbound(0);
        final int dom0Port = t.dom0Hypercalls().eventChannel().bindInterdomain(domain.domid(), port);
        final AtomicInteger events = new AtomicInteger();
        guest[0].dispatcher.bind(port, (p) -> events.incrementAndGet());

        guest[0].dispatcher.upcallMask(0, true);
        t.dom0Hypercalls().eventChannel().send(dom0Port);
        domain.vcpu(0).doWork();
        assertEquals(0, guest[0].upcalls, "interrupts off: no upcall");

        guest[0].dispatcher.upcallMask(0, false);
        domain.vcpu(0).doWork();
        assertEquals(1, guest[0].upcalls);
        assertEquals(1, events.get());
    }

    @Test
    void pollEventsIsAVoluntarySafePoint()
    {
        final Domain domain = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(guest)));
        final int port = domain.hypercalls().eventChannel().allocUnbound(0);
        final int dom0Port = t.dom0Hypercalls().eventChannel().bindInterdomain(domain.domid(), port);
        final AtomicInteger seenInsideCycle = new AtomicInteger();
        guest[0].dispatcher.bind(port, (p) -> seenInsideCycle.incrementAndGet());
        domain.vcpu(0).doWork();
        guest[0].duty = (ctx) ->
        {
            t.dom0Hypercalls().eventChannel().send(dom0Port);
            assertTrue(ctx.pollEvents());
            assertFalse(ctx.pollEvents());
            return 1;
        };
        domain.vcpu(0).doWork();
        assertEquals(1, seenInsideCycle.get());
    }

    @Test
    void blockedThreadedVcpuWakesForAnEvent()
    {
        final Domain domain = t.createRunning(new DomainConfig().memoryPages(8).maxBlockNs(NO_SAFETY_NET_NS).image(ScriptedGuest.image(guest)));
        final AtomicReference<String> handlerThread = new AtomicReference<>();
        final AtomicInteger events = new AtomicInteger();
        guest[0].duty = (ctx) ->
        {
            ctx.block();
            return 0;
        };
        final int port = domain.hypercalls().eventChannel().allocUnbound(0);
        guest[0].dispatcher.bind(port, (p) ->
        {
            handlerThread.set(Thread.currentThread().getName());
            events.incrementAndGet();
        });
        final int dom0Port = t.dom0Hypercalls().eventChannel().bindInterdomain(domain.domid(), port);
        await().atMost(Duration.ofSeconds(10)).until(() -> domain.vcpu(0).isBlocked());
        assertEquals(0, events.get());

        t.dom0Hypercalls().eventChannel().send(dom0Port);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.get() == 1);
        assertEquals("pvio-vcpu-d" + domain.domid() + "v0", handlerThread.get());
        assertTrue(domain.counters().count(HypercallOp.SCHED_BLOCK) >= 1);
    }

    @Test
    void unpauseWakesAParkedVcpuAndDestroyJoinsItsThread()
    {
        final Domain domain = t.createRunning(new DomainConfig().memoryPages(8).maxBlockNs(NO_SAFETY_NET_NS).image(ScriptedGuest.image(guest)));
        guest[0].duty = (ctx) ->
        {
            ctx.block();
            return 0;
        };
        await().atMost(Duration.ofSeconds(10)).until(() -> guest[0].cycles > 0);
        t.dom0Hypercalls().domctl().pauseDomain(domain.domid());
        final int cyclesWhenPaused = guest[0].cycles;
        t.dom0Hypercalls().domctl().unpauseDomain(domain.domid());
        await().atMost(Duration.ofSeconds(10)).until(() -> guest[0].cycles > cyclesWhenPaused);

        t.dom0Hypercalls().domctl().destroyDomain(domain.domid());
        assertEquals(1, guest[0].stops);
        assertFalse(Thread.getAllStackTraces().keySet().stream()
            .anyMatch((thread) -> thread.getName().equals("pvio-vcpu-d" + domain.domid() + "v0")));
    }

    @Test
    void debugVirqReachesEveryBoundVcpu()
    {
        final Domain domain = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(guest)));
        final int port = domain.hypercalls().eventChannel().bindVirq(Virq.DEBUG, 0);
        final AtomicInteger debug = new AtomicInteger();
        guest[0].dispatcher.bind(port, (p) -> debug.incrementAndGet());
        assertEquals(1, t.dom0Hypercalls().domctl().sendDebugVirq(domain.domid()));
        domain.vcpu(0).doWork();
        assertEquals(1, debug.get());
        assertEquals(XenErrno.EPERM, assertThrows(HypercallException.class,
            () -> domain.hypercalls().domctl().sendDebugVirq(0)).errno());
    }
}
