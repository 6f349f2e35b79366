package io.pvio.hypervisor.guest;

import io.pvio.hypervisor.memory.MachineMemory;
import io.pvio.ring.evtchn.SharedInfoFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dispatcher alone, with the test playing the hypervisor on a plain shared_info page. */
class UpcallDispatcherTest
{
    private final MachineMemory memory = MachineMemory.offHeap(1);
    private final UnsafeBuffer page = memory.newFrameView(memory.claimFrame(1));
    private final SharedInfoFlyweight hypervisor = new SharedInfoFlyweight().wrap(page, 0);
    private final UpcallDispatcher dispatcher = new UpcallDispatcher(page, 2);
    private final List<String> calls = new ArrayList<>();

    private void raise(final int port, final int vcpu)
    {
        if (!hypervisor.testAndSetPending(port) && !hypervisor.isMasked(port) &&
            !hypervisor.testAndSetPendingSel(vcpu, port >>> 6))
        {
            hypervisor.testAndSetUpcallPending(vcpu);
        }
    }

    @Test
    void scansSelectorThenPendingAndClearsBeforeCalling()
    {
        dispatcher.bind(3, (p) -> calls.add("a" + p + hypervisor.isPending(p)));
        dispatcher.bind(130, (p) -> calls.add("b" + p));
        dispatcher.bind(4095, (p) -> calls.add("c" + p));
        raise(130, 0);
        raise(3, 0);
        raise(4095, 0);
        assertEquals(3, dispatcher.dispatch(0));
        assertEquals(List.of("a3false", "b130", "c4095"), calls, "word order, pending already clear");
        assertFalse(hypervisor.upcallPending(0));
        assertEquals(0L, hypervisor.pendingSelVolatile(0));
        assertEquals(0, dispatcher.dispatch(0));
    }

    @Test
    void handlersRunOnTheVcpuTheyAreBoundTo()
    {
        dispatcher.bind(10, 1, (p) -> calls.add("v1:" + p));
        dispatcher.bind(11, (p) -> calls.add("v0:" + p));
        raise(10, 1);
        raise(11, 0);
        assertEquals(1, dispatcher.dispatch(0));
        assertEquals(List.of("v0:11"), calls);
        assertTrue(hypervisor.isPending(10), "vCPU 0 leaves vCPU 1's port alone");
        assertEquals(1, dispatcher.dispatch(1));
        assertEquals(List.of("v0:11", "v1:10"), calls);
        assertThrows(IllegalArgumentException.class, () -> dispatcher.bind(12, 2, (p) -> { }));
    }

    @Test
    void handlersCanBeReboundAtRunTime()
    {
        dispatcher.bind(7, (p) -> calls.add("old"));
        raise(7, 0);
        dispatcher.dispatch(0);
        dispatcher.unbind(7);
        raise(7, 0);
        dispatcher.dispatch(0);
        assertEquals(List.of("old"), calls);
        dispatcher.bind(7, (p) -> calls.add("new"));
        assertTrue(hypervisor.upcallPending(0), "binding a pending port raises the upcall");
        dispatcher.dispatch(0);
        assertEquals(List.of("old", "new"), calls);
    }

    @Test
    void handlerMayUnbindItselfAndOthers()
    {
        dispatcher.bind(1, (p) ->
        {
            calls.add("one");
            dispatcher.unbind(2);
            dispatcher.unbind(1);
        });
        dispatcher.bind(2, (p) -> calls.add("two"));
        raise(1, 0);
        raise(2, 0);
        dispatcher.dispatch(0);
        assertEquals(List.of("one"), calls, "2 was taken with 1 but its handler is gone");
    }

    @Test
    void eventsArrivingDuringDispatchAreHandledInALaterPass()
    {
        final int[] rounds = {0};
        dispatcher.bind(5, (p) ->
        {
            calls.add("five");
            if (++rounds[0] < 3)
            {
                raise(5, 0);
            }
        });
        raise(5, 0);
        assertEquals(3, dispatcher.dispatch(0));
        assertEquals(List.of("five", "five", "five"), calls);
    }

    @Test
    void passesAreBounded()
    {
        dispatcher.bind(5, (p) -> raise(5, 0));
        raise(5, 0);
        assertEquals(UpcallDispatcher.MAX_PASSES, dispatcher.dispatch(0));
        assertTrue(hypervisor.upcallPending(0), "the rest comes with the next upcall");
    }

    @Test
    void countsEventsDeliveredPerPortButNotCoalescedSendsNorUnhandledPorts()
    {
        dispatcher.bind(3, (p) -> calls.add("three"));
        dispatcher.bind(200, 1, (p) -> calls.add("two hundred"));
        raise(3, 0);
        raise(3, 0); // already pending: coalesces into one event
        raise(200, 1);
        raise(9, 0); // no handler: stays pending, delivered to nobody
        dispatcher.dispatch(0);
        dispatcher.dispatch(1);
        raise(3, 0);
        dispatcher.dispatch(0);

        assertEquals(2, dispatcher.eventsDelivered(3));
        assertEquals(1, dispatcher.eventsDelivered(200));
        assertEquals(0, dispatcher.eventsDelivered(9));
        assertEquals(3, dispatcher.eventsDelivered());
        assertEquals(List.of("three", "two hundred", "three"), calls);
        assertThrows(IllegalArgumentException.class, () -> dispatcher.eventsDelivered(4096));
    }
}
