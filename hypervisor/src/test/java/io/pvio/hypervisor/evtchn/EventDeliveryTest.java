package io.pvio.hypervisor.evtchn;

import io.pvio.hypervisor.ScriptedGuest;
import io.pvio.hypervisor.TestHypervisor;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.domain.Vcpu;
import io.pvio.hypervisor.hypercall.EventChannelOp;
import io.pvio.ring.evtchn.SharedInfoDescriptor;
import io.pvio.ring.evtchn.SharedInfoFlyweight;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The 2-level ABI seen from the guest, one safe point at a time (MANUAL vCPU, dom0 sending from the test). */
class EventDeliveryTest
{
    private static final int CHANNELS = 3;

    private final TestHypervisor t = TestHypervisor.boot(256);
    private final ScriptedGuest[] guest = new ScriptedGuest[1];
    private final Domain domU = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(guest)));
    private final Vcpu vcpu = domU.vcpu(0);
    private final EventChannelOp dom0Ops = t.dom0Hypercalls().eventChannel();
    private final int[] guestPorts = new int[CHANNELS];
    private final int[] dom0Ports = new int[CHANNELS];
    private final List<Integer> handled = new ArrayList<>();
    private final SharedInfoFlyweight shared;

    EventDeliveryTest()
    {
        for (int i = 0; i < CHANNELS; i++)
        {
            guestPorts[i] = domU.hypercalls().eventChannel().allocUnbound(DomainId.DOM0);
            dom0Ports[i] = dom0Ops.bindInterdomain(domU.domid(), guestPorts[i]);
            guest[0].dispatcher.bind(guestPorts[i], handled::add);
        }
        shared = guest[0].dispatcher.sharedInfo();
    }

    @AfterEach
    void close()
    {
        t.close();
    }

    @Test
    void sendSetsPendingSelectorAndUpcallThenTheUpcallClearsThem()
    {
        final int port = guestPorts[0];
        assertEquals(0, dom0Ops.send(dom0Ports[0]));
        assertTrue(shared.isPending(port));
        assertEquals(1L << SharedInfoDescriptor.wordIndex(port), shared.pendingSelVolatile(0));
        assertTrue(shared.upcallPending(0));

        vcpu.doWork();
        assertEquals(List.of(port), handled);
        assertFalse(shared.isPending(port));
        assertEquals(0L, shared.pendingSelVolatile(0));
        assertFalse(shared.upcallPending(0));
        assertFalse(shared.upcallMask(0), "upcalls unmasked again after the callback");
    }

    @Test
    void sendsCoalesceWhilePending()
    {
        for (int i = 0; i < 5; i++)
        {
            dom0Ops.send(dom0Ports[1]);
        }
        vcpu.doWork();
        vcpu.doWork();
        assertEquals(List.of(guestPorts[1]), handled);
        assertEquals(1, guest[0].upcalls);
    }

    @Test
    void anEventSentAfterTheHandlerClearedTheBitIsDeliveredAgain()
    {
        final int port = guestPorts[0];
        guest[0].dispatcher.bind(port, (p) ->
        {
            handled.add(p);
            if (handled.size() == 1)
            {
                // the peer sends while we are handling: the bit was cleared before we were called.
                dom0Ops.send(dom0Ports[0]);
            }
        });
        dom0Ops.send(dom0Ports[0]);
        vcpu.doWork();
        vcpu.doWork();
        assertEquals(List.of(port, port), handled);
    }

    @Test
    void maskingDefersAndTheUnmaskHypercallDelivers()
    {
        final int port = guestPorts[2];
        guest[0].dispatcher.mask(port);
        dom0Ops.send(dom0Ports[2]);
        assertTrue(shared.isPending(port));
        assertFalse(shared.upcallPending(0), "a masked port raises no upcall");
        vcpu.doWork();
        assertEquals(List.of(), handled);

        assertEquals(0, domU.hypercalls().eventChannel().unmask(port));
        assertTrue(shared.upcallPending(0));
        vcpu.doWork();
        assertEquals(List.of(port), handled);
    }

    @Test
    void localUnmaskDeliversToo()
    {
        final int port = guestPorts[2];
        guest[0].dispatcher.mask(port);
        dom0Ops.send(dom0Ports[2]);
        guest[0].dispatcher.unmask(port, 0);
        vcpu.doWork();
        assertEquals(List.of(port), handled);
    }

    @Test
    void upcallMaskDefersEverythingAndReleasesOnClear()
    {
        guest[0].dispatcher.upcallMask(0, true);
        for (int i = 0; i < CHANNELS; i++)
        {
            dom0Ops.send(dom0Ports[i]);
        }
        vcpu.doWork();
        vcpu.doWork();
        assertEquals(List.of(), handled);
        assertTrue(shared.upcallPending(0));

        assertTrue(shared.unmaskUpcallsAndCheckPending(0));
        vcpu.doWork();
        assertEquals(List.of(guestPorts[0], guestPorts[1], guestPorts[2]), handled);
        assertEquals(1, guest[0].upcalls, "one upcall for all three");
    }

    @Test
    void portWithoutHandlerStaysPendingUntilOneIsBound()
    {
        final int port = guestPorts[1];
        guest[0].dispatcher.unbind(port);
        dom0Ops.send(dom0Ports[1]);
        vcpu.doWork();
        assertEquals(List.of(), handled);
        assertTrue(shared.isPending(port));

        guest[0].dispatcher.bind(port, handled::add);
        vcpu.doWork();
        assertEquals(List.of(port), handled);
    }

    @Test
    void closedPeerStopsDelivery()
    {
        domU.hypercalls().eventChannel().close(guestPorts[0]);
        assertEquals(0, dom0Ops.send(dom0Ports[0]));
        vcpu.doWork();
        assertEquals(List.of(), handled);
        assertEquals(PortState.UNBOUND, dom0Ops.status(dom0Ports[0]).state());
    }
}
