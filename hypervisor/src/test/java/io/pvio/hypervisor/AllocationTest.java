package io.pvio.hypervisor;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.grant.GrantCopyBatch;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.Hypercalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The data paths allocate nothing in steady state: event send, delivery and the upcall dispatch; unmask; grant copy;
 * grant map and unmap once a handle's views exist.
 */
class AllocationTest
{
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 50_000;
    /** A few hundred bytes appear once (JIT, MXBean); a path that allocated would cost 16+ bytes every round. */
    private static final long ONE_OFF_BYTES = MEASURED / 10;
    private static final long DATA_GFN = 5;

    private final TestHypervisor t = TestHypervisor.boot(128);
    private final ScriptedGuest[] guest = new ScriptedGuest[1];
    private final Domain domU = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(guest)));
    private final Hypercalls dom0 = t.dom0Hypercalls();
    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private int handled;

    @AfterEach
    void close()
    {
        t.close();
    }

    private void assertNoAllocation(final String what, final Runnable round)
    {
        final long bytes = allocatedBytes(round);
        assertTrue(bytes < ONE_OFF_BYTES, what + " allocated " + bytes + " bytes in " + MEASURED + " rounds");
    }

    private long allocatedBytes(final Runnable round)
    {
        for (int i = 0; i < WARM_UP; i++)
        {
            round.run();
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < MEASURED; i++)
        {
            round.run();
        }
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void dataPathsDoNotAllocate()
    {
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);

        final int port = domU.hypercalls().eventChannel().allocUnbound(DomainId.DOM0);
        final int dom0Port = dom0.eventChannel().bindInterdomain(domU.domid(), port);
        guest[0].dispatcher.bind(port, (p) -> handled++);
        final Runnable sendAndDispatch = () ->
        {
            dom0.eventChannel().send(dom0Port);
            domU.vcpu(0).doWork();
        };
        assertNoAllocation("send, deliver, upcall, dispatch", sendAndDispatch);

        guest[0].dispatcher.mask(port);
        final Runnable unmask = () ->
        {
            guest[0].dispatcher.mask(port);
            dom0.eventChannel().send(dom0Port);
            domU.hypercalls().eventChannel().unmask(port);
            domU.vcpu(0).doWork();
        };
        assertNoAllocation("unmask", unmask);

        final GrantAccess grants = new GrantAccess(domU.guestMemory(), domU.startInfo());
        final int ref = grants.grantAccess(DomainId.DOM0, DATA_GFN, false);
        final GrantCopyBatch batch = new GrantCopyBatch(4);
        final Runnable copy = () ->
        {
            batch.clear();
            batch.addFromGrant(domU.domid(), ref, 0, 6, 0, 512);
            batch.addToGrant(6, 512, domU.domid(), ref, 1024, 512);
            dom0.grantTable().copy(batch);
        };
        assertNoAllocation("grant copy", copy);

        final Runnable mapUnmap = () ->
        {
            final int handle = dom0.grantTable().mapGrantRef(domU.domid(), ref, false);
            dom0.grantTable().writableView(handle).putInt(0, handle);
            dom0.grantTable().unmapGrantRef(handle);
        };
        assertNoAllocation("grant map and unmap", mapUnmap);
        assertTrue(handled > 0);
    }
}
