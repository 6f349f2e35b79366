package io.pvio.hypervisor.domain;

import io.pvio.hypervisor.ScriptedGuest;
import io.pvio.hypervisor.TestHypervisor;
import io.pvio.hypervisor.evtchn.Virq;
import io.pvio.hypervisor.hypercall.DomctlOp;
import io.pvio.hypervisor.hypercall.HypercallException;
import io.pvio.hypervisor.hypercall.HypercallOp;
import io.pvio.hypervisor.hypercall.XenErrno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DomainLifecycleTest
{
    private final TestHypervisor t = TestHypervisor.boot(512);
    private final DomctlOp domctl = t.dom0Hypercalls().domctl();
    private final ScriptedGuest[] guest = new ScriptedGuest[1];
    private final AtomicInteger domExc = new AtomicInteger();

    DomainLifecycleTest()
    {
        final int port = t.dom0Hypercalls().eventChannel().bindVirq(Virq.DOM_EXC, 0);
        t.dom0Dispatcher.bind(port, (p) -> domExc.incrementAndGet());
    }

    @AfterEach
    void close()
    {
        t.close();
    }

    private void runDom0()
    {
        t.dom0().vcpu(0).doWork();
    }

    @Test
    void dom0IsPrivilegedAndRunningAtBoot()
    {
        assertTrue(t.dom0().isPrivileged());
        assertEquals(DomainState.RUNNING, t.dom0().state());
        assertEquals(DomainId.DOM0, t.dom0().domid());
        final HypercallException ex = assertThrows(HypercallException.class, () -> domctl.destroyDomain(0));
        assertEquals(XenErrno.EINVAL, ex.errno());
    }

    @Test
    void createdPausedAndRunsOnlyWhenUnpaused()
    {
        final Domain domain = t.create(TestHypervisor.manual(ScriptedGuest.image(guest)));
        assertEquals(DomainState.PAUSED, domain.state());
        assertEquals(0, domain.vcpu(0).doWork());
        assertEquals(0, guest[0].cycles);

        guest[0].duty = (vcpu) -> 1;
        domctl.unpauseDomain(domain.domid());
        assertEquals(1, domain.vcpu(0).doWork());
        domain.vcpu(0).doWork();
        assertEquals(1, guest[0].starts);
        assertEquals(2, guest[0].cycles);

        domctl.pauseDomain(domain.domid());
        assertEquals(0, domain.vcpu(0).doWork());
        assertEquals(2, guest[0].cycles);
        assertEquals(DomainState.PAUSED, domctl.getDomainInfo(domain.domid()).state());
    }

    @Test
    void destroyReclaimsFramesAndFreesTheId()
    {
        final int freeBefore = t.hv.memory().freeFrameCount();
        final Domain domain = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(guest)).memoryPages(20));
        assertEquals(freeBefore - 20, t.hv.memory().freeFrameCount());
        domain.vcpu(0).doWork();

        domctl.destroyDomain(domain.domid());
        assertEquals(DomainState.DEAD, domain.state());
        assertEquals(freeBefore, t.hv.memory().freeFrameCount());
        assertEquals(0, t.hv.memory().countFramesOwnedBy(domain.token()));
        assertNull(t.hv.domain(domain.domid()));
        assertEquals(1, guest[0].stops);
        runDom0();
        assertEquals(1, domExc.get(), "dom0 told through VIRQ_DOM_EXC");
        assertEquals(XenErrno.ESRCH,
            assertThrows(HypercallException.class, () -> domctl.destroyDomain(domain.domid())).errno());
    }

    @Test
    void guestThatThrowsCrashesOnlyItsDomain()
    {
        final Domain domain = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(guest)));
        final IllegalStateException boom = new IllegalStateException("guest bug");
        guest[0].duty = (vcpu) ->
        {
            throw boom;
        };
        assertEquals(0, domain.vcpu(0).doWork());
        assertEquals(DomainState.SHUTDOWN, domain.state());
        assertEquals(ShutdownReason.CRASH, domain.shutdownReason());
        assertSame(boom, domain.crashCause());
        assertEquals(0, domain.vcpu(0).doWork(), "no more guest code");
        runDom0();
        assertEquals(1, domExc.get());

        assertEquals(1, t.hv.reaper().doWork());
        assertEquals(DomainState.DEAD, domain.state());
        assertEquals(0, t.hv.memory().countFramesOwnedBy(domain.token()));
        final DomainInfo info = domctl.getDomainInfo(domain.domid());
        assertEquals(ShutdownReason.CRASH, info.shutdownReason(), "kept for dom0 until destroyed");
        assertEquals(0, info.populatedPages());
        runDom0();
        assertEquals(2, domExc.get(), "and again once reclaimed");

        domctl.destroyDomain(domain.domid());
        assertNull(t.hv.domain(domain.domid()));
        assertEquals(DomainState.RUNNING, t.dom0().state());
    }

    @Test
    void guestShutdownIsReportedAndReaped()
    {
        final Domain domain = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(guest)));
        guest[0].duty = (vcpu) ->
        {
            vcpu.hypercalls().sched().shutdown(ShutdownReason.POWEROFF);
            return 1;
        };
        domain.vcpu(0).doWork();
        assertEquals(DomainState.SHUTDOWN, domain.state());
        assertThrows(HypercallException.class, () -> domctl.unpauseDomain(domain.domid()));
        t.hv.reaper().doWork();
        assertEquals(ShutdownReason.POWEROFF, domctl.getDomainInfo(domain.domid()).shutdownReason());
        assertEquals(DomainState.DEAD, domctl.getDomainInfo(domain.domid()).state());
    }

    @Test
    void creationFailuresLeakNothing()
    {
        final int freeBefore = t.hv.memory().freeFrameCount();
        final int countBefore = t.hv.manager().domains().count();
        assertEquals(XenErrno.ENOMEM, assertThrows(HypercallException.class,
            () -> domctl.createDomain(TestHypervisor.manual(ScriptedGuest.image(guest)).memoryPages(10_000)))
            .errno());
        assertEquals(XenErrno.EINVAL, assertThrows(HypercallException.class,
            () -> domctl.createDomain(TestHypervisor.manual(null))).errno());
        assertEquals(XenErrno.EINVAL, assertThrows(HypercallException.class,
            () -> domctl.createDomain(TestHypervisor.manual(ScriptedGuest.image(guest)).vcpuCount(33))).errno());
        assertEquals(freeBefore, t.hv.memory().freeFrameCount());
        assertEquals(countBefore, t.hv.manager().domains().count());
    }

    @Test
    void imageThatThrowsLeaksNothing()
    {
        final int freeBefore = t.hv.memory().freeFrameCount();
        assertThrows(IllegalStateException.class, () -> domctl.createDomain(TestHypervisor.manual((vcpu) ->
        {
            throw new IllegalStateException("bad image");
        })));
        assertEquals(freeBefore, t.hv.memory().freeFrameCount());
        assertEquals(1, t.hv.manager().domains().count());
    }

    @Test
    void hypercallsAreCountedPerDomainAndOperation()
    {
        final Domain domain = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(guest)));
        final int port = domain.hypercalls().eventChannel().allocUnbound(0);
        for (int i = 0; i < 3; i++)
        {
            domain.hypercalls().eventChannel().send(port);
        }
        assertThrows(HypercallException.class, () -> domain.hypercalls().domctl().pauseDomain(0));
        assertEquals(3, domctl.hypercallCount(domain.domid(), HypercallOp.EVTCHN_SEND));
        assertEquals(1, domctl.hypercallCount(domain.domid(), HypercallOp.EVTCHN_ALLOC_UNBOUND));
        assertEquals(1, domctl.hypercallCounts(domain.domid()).get(HypercallOp.DOMCTL_PAUSEDOMAIN));
        assertEquals(5, domctl.getDomainInfo(domain.domid()).hypercallCount());
    }

    @Test
    void domainIdsAreNotReusedAtOnce()
    {
        final int first = domctl.createDomain(TestHypervisor.manual(ScriptedGuest.image(guest)));
        domctl.destroyDomain(first);
        final int second = domctl.createDomain(TestHypervisor.manual(ScriptedGuest.image(guest)));
        assertTrue(second > first);
        assertEquals(2, domctl.listDomains().size());
    }
}
