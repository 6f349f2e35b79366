package io.pvio.hypervisor.grant;

import io.pvio.hypervisor.ScriptedGuest;
import io.pvio.hypervisor.TestHypervisor;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.GrantTableOp;
import io.pvio.ring.grant.GrantEntryV1Descriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The granter revokes and re-grants as fast as it can while dom0 maps, unmaps and copies the same reference: a revoke
 * may only ever succeed while nothing is mapped, and every operation ends with a valid status.
 */
class GrantRaceTest
{
    private static final int MAP_ATTEMPTS = 50_000;
    private static final long DATA_GFN = 5;
    private static final int REF = GrantEntryV1Descriptor.GNTTAB_RESERVED_CONSOLE;

    private final TestHypervisor t = TestHypervisor.boot(128);
    private final Domain granter = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])));
    private final GrantAccess grants = new GrantAccess(granter.guestMemory(), granter.startInfo());
    private final GrantTableOp gnttab = t.dom0Hypercalls().grantTable();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger inUse = new AtomicInteger();
    private final AtomicInteger violations = new AtomicInteger();
    private final AtomicInteger revokes = new AtomicInteger();
    private final AtomicInteger mapped = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    @AfterEach
    void close()
    {
        t.close();
    }

    @Test
    void revokeNeverSucceedsWhileMapped() throws InterruptedException
    {
        grants.grantAccessAt(REF, DomainId.DOM0, DATA_GFN, false);
        final Thread granterThread = new Thread(this::revokeAndRegrant, "granter");
        granterThread.start();
        mapUnmapAndCopy();
        stop.set(true);
        granterThread.join();

        assertNull(failure.get());
        assertEquals(0, violations.get());
        assertTrue(mapped.get() > 0, "some maps won the race");
        assertTrue(revokes.get() > 0, "some revokes won the race");
        assertEquals(0, granter.grantTable().pinnedRefs());
        assertEquals(0, t.dom0().maptrack().inUse());
    }

    private void revokeAndRegrant()
    {
        try
        {
            while (!stop.get())
            {
                if (!grants.tryEndAccess(REF))
                {
                    Thread.onSpinWait();
                    continue;
                }
                if (inUse.get() != 0)
                {
                    violations.incrementAndGet();
                }
                revokes.incrementAndGet();
                grants.grantAccessAt(REF, DomainId.DOM0, DATA_GFN, false);
            }
        }
        catch (final Throwable ex)
        {
            failure.set(ex);
        }
    }

    private void mapUnmapAndCopy()
    {
        final GrantCopyBatch batch = new GrantCopyBatch(1);
        for (int attempt = 0; attempt < MAP_ATTEMPTS || revokes.get() < 100 || mapped.get() < 100; attempt++)
        {
            if (attempt > 200 * MAP_ATTEMPTS)
            {
                return;
            }
            final int handle = gnttab.mapGrantRef(granter.domid(), REF, false);
            if (handle >= 0)
            {
                inUse.incrementAndGet();
                mapped.incrementAndGet();
                gnttab.writableView(handle).putInt(0, 1);
                inUse.decrementAndGet();
                assertEquals(GrantStatus.OKAY, gnttab.unmapGrantRef(handle));
            }
            else
            {
                assertEquals(GrantStatus.GENERAL_ERROR, handle);
            }
            batch.clear().addToGrant(6, 0, granter.domid(), REF, 8, 8);
            gnttab.copy(batch);
            assertTrue(batch.status(0) == GrantStatus.OKAY || batch.status(0) == GrantStatus.GENERAL_ERROR);
        }
    }
}
