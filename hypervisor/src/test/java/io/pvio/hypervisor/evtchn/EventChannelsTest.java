package io.pvio.hypervisor.evtchn;

import io.pvio.hypervisor.ScriptedGuest;
import io.pvio.hypervisor.TestHypervisor;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.hypercall.EventChannelOp;
import io.pvio.hypervisor.hypercall.HypercallException;
import io.pvio.hypervisor.hypercall.XenErrno;
import io.pvio.ring.evtchn.SharedInfoFlyweight;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventChannelsTest
{
    private final TestHypervisor t = TestHypervisor.boot(256);
    private final ScriptedGuest[] guest = new ScriptedGuest[1];
    private final Domain domU = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(guest)).maxPorts(8));
    private final EventChannelOp guestOps = domU.hypercalls().eventChannel();
    private final EventChannelOp dom0Ops = t.dom0Hypercalls().eventChannel();

    @AfterEach
    void close()
    {
        t.close();
    }

    private static void assertErrno(final XenErrno errno, final Executable call)
    {
        assertEquals(errno, assertThrows(HypercallException.class, call).errno());
    }

    @Test
    void allocUnboundThenBindInterdomainConnectsBothEnds()
    {
        final int port = guestOps.allocUnbound(DomainId.DOM0);
        assertTrue(port >= EventChannelTable.FIRST_PORT);
        final EventChannelStatus unbound = guestOps.status(port);
        assertEquals(PortState.UNBOUND, unbound.state());
        assertEquals(1, unbound.evtchnStat());
        assertEquals(DomainId.DOM0, unbound.remoteDomid());

        final int dom0Port = dom0Ops.bindInterdomain(domU.domid(), port);
        final EventChannelStatus guestEnd = guestOps.status(port);
        final EventChannelStatus dom0End = dom0Ops.status(dom0Port);
        assertEquals(PortState.INTERDOMAIN, guestEnd.state());
        assertEquals(2, guestEnd.evtchnStat());
        assertEquals(DomainId.DOM0, guestEnd.remoteDomid());
        assertEquals(dom0Port, guestEnd.remotePort());
        assertEquals(domU.domid(), dom0End.remoteDomid());
        assertEquals(port, dom0End.remotePort());
        assertTrue(t.dom0().ports().isPending(dom0Port), "the binder's port starts pending (event_channel.h)");
    }

    @Test
    void onlyTheNamedDomainMayBind()
    {
        final int forDom0 = guestOps.allocUnbound(DomainId.DOM0);
        final Domain other = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])));
        assertErrno(XenErrno.EINVAL, () -> other.hypercalls().eventChannel().bindInterdomain(domU.domid(), forDom0));
        assertErrno(XenErrno.EINVAL, () -> dom0Ops.bindInterdomain(domU.domid(), 7));
        assertErrno(XenErrno.EINVAL, () -> dom0Ops.bindInterdomain(domU.domid(), 8));
        assertErrno(XenErrno.ESRCH, () -> dom0Ops.bindInterdomain(4321, 1));
        dom0Ops.bindInterdomain(domU.domid(), forDom0);
        assertErrno(XenErrno.EINVAL, () -> dom0Ops.bindInterdomain(domU.domid(), forDom0));
    }

    @Test
    void closeLeavesThePeerUnboundAndItsSendsDropped()
    {
        final int port = guestOps.allocUnbound(DomainId.DOM0);
        final int dom0Port = dom0Ops.bindInterdomain(domU.domid(), port);
        final SharedInfoFlyweight guestShared = guest[0].dispatcher.sharedInfo();

        dom0Ops.close(dom0Port);
        assertEquals(PortState.FREE, dom0Ops.status(dom0Port).state());
        final EventChannelStatus peer = guestOps.status(port);
        assertEquals(PortState.UNBOUND, peer.state());
        assertEquals(DomainId.DOM0, peer.remoteDomid());
        assertFalse(t.dom0().ports().isPending(dom0Port), "closing clears pending");

        assertEquals(0, guestOps.send(port), "Xen drops sends on an unbound port silently");
        assertFalse(guestShared.isPending(port));
        assertErrno(XenErrno.EINVAL, () -> dom0Ops.close(dom0Port));

        final int again = dom0Ops.bindInterdomain(domU.domid(), port);
        assertEquals(PortState.INTERDOMAIN, guestOps.status(port).state());
        assertEquals(0, dom0Ops.send(again));
        assertTrue(guestShared.isPending(port));
    }

    @Test
    void portsRunOutWithEnospc()
    {
        for (int i = 1; i < 8; i++)
        {
            assertEquals(i, guestOps.allocUnbound(DomainId.DOM0), "lowest free port first");
        }
        assertErrno(XenErrno.ENOSPC, () -> guestOps.allocUnbound(DomainId.DOM0));
        guestOps.close(3);
        assertEquals(3, guestOps.allocUnbound(DomainId.DOM0));
        assertEquals(7, t.hv.manager().eventChannels().openPorts(domU));
    }

    @Test
    void bindVirqChecksItsArguments()
    {
        assertErrno(XenErrno.EINVAL, () -> guestOps.bindVirq(Virq.NR_VIRQS, 0));
        assertErrno(XenErrno.EINVAL, () -> guestOps.bindVirq(-1, 0));
        assertErrno(XenErrno.ENOENT, () -> guestOps.bindVirq(Virq.TIMER, 1));
        final int timer = guestOps.bindVirq(Virq.TIMER, 0);
        assertErrno(XenErrno.EEXIST, () -> guestOps.bindVirq(Virq.TIMER, 0));
        final EventChannelStatus status = guestOps.status(timer);
        assertEquals(PortState.VIRQ, status.state());
        assertEquals(4, status.evtchnStat());
        assertEquals(Virq.TIMER, status.virq());
        assertEquals(XenErrno.EINVAL.negated(), guestOps.send(timer), "no sending on a VIRQ port");
        guestOps.close(timer);
        guestOps.bindVirq(Virq.TIMER, 0);

        final Domain twoVcpus =
            t.createRunning(TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])).vcpuCount(2));
        final EventChannelOp ops = twoVcpus.hypercalls().eventChannel();
        assertErrno(XenErrno.EINVAL, () -> ops.bindVirq(Virq.DOM_EXC, 1));
        final int perVcpu = ops.bindVirq(Virq.TIMER, 1);
        assertEquals(1, ops.status(perVcpu).vcpu());
        assertErrno(XenErrno.EINVAL, () -> ops.bindVcpu(perVcpu, 0));
    }

    @Test
    void statusOfAnotherDomainIsForDom0Only()
    {
        final int port = guestOps.allocUnbound(DomainId.DOM0);
        assertEquals(PortState.UNBOUND, dom0Ops.status(domU.domid(), port).state());
        assertErrno(XenErrno.EPERM, () -> guestOps.status(DomainId.DOM0, 1));
        assertErrno(XenErrno.ESRCH, () -> dom0Ops.status(999, 1));
        assertErrno(XenErrno.EINVAL, () -> guestOps.status(8));
        assertEquals(PortState.FREE, guestOps.status(5).state());
        assertEquals(0, guestOps.status(5).evtchnStat());
    }

    @Test
    void dom0MayAllocateOnBehalfOfADomU()
    {
        final int port = dom0Ops.allocUnbound(domU.domid(), DomainId.DOM0);
        assertEquals(PortState.UNBOUND, guestOps.status(port).state());
        assertErrno(XenErrno.EPERM, () -> guestOps.allocUnbound(DomainId.DOM0, domU.domid()));
        assertErrno(XenErrno.EINVAL, () -> guestOps.allocUnbound(DomainId.IO));
    }

    @Test
    void loopbackChannelDeliversToItself()
    {
        final int a = guestOps.allocUnbound(DomainId.SELF);
        final int b = guestOps.bindInterdomain(DomainId.SELF, a);
        final SharedInfoFlyweight shared = guest[0].dispatcher.sharedInfo();
        shared.testAndClearPending(b);
        assertEquals(0, guestOps.send(b));
        assertTrue(shared.isPending(a));
        assertEquals(0, guestOps.send(a));
        assertTrue(shared.isPending(b));
    }

    @Test
    void bindVcpuMovesNotification()
    {
        final Domain twoVcpus =
            t.createRunning(TestHypervisor.manual(ScriptedGuest.image(guest)).vcpuCount(2));
        final int port = twoVcpus.hypercalls().eventChannel().allocUnbound(DomainId.DOM0);
        final int dom0Port = dom0Ops.bindInterdomain(twoVcpus.domid(), port);
        twoVcpus.hypercalls().eventChannel().bindVcpu(port, 1);
        assertEquals(1, twoVcpus.hypercalls().eventChannel().status(port).vcpu());
        dom0Ops.send(dom0Port);
        final SharedInfoFlyweight shared = guest[0].dispatcher.sharedInfo();
        assertTrue(shared.upcallPending(1));
        assertFalse(shared.upcallPending(0));
        assertErrno(XenErrno.ENOENT, () -> twoVcpus.hypercalls().eventChannel().bindVcpu(port, 2));
    }
}
