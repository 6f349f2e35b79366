package io.pvio.hypervisor.guest;

import io.pvio.hypervisor.ScriptedGuest;
import io.pvio.hypervisor.TestHypervisor;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.grant.GrantStatus;
import io.pvio.hypervisor.hypercall.GrantTableOp;
import org.agrona.collections.IntArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A pool of grant references reserved from {@link GrantAccess}: claim and release without the table's free list, no
 * reference handed out again while the grantee still maps it, and everything back in the free list once returned.
 */
class GrantRefPoolTest
{
    private static final long DATA_GFN = 5;
    private static final long OTHER_GFN = 6;

    private final TestHypervisor t = TestHypervisor.boot(64);
    private final Domain domU = t.createRunning(
        TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])).grantFrames(2).memoryPages(8));
    private final GrantAccess grants = new GrantAccess(domU.guestMemory(), domU.startInfo());
    private final GrantTableOp dom0Grants = t.dom0Hypercalls().grantTable();

    @AfterEach
    void close()
    {
        t.close();
    }

    @Test
    void reservingMovesRefsOutOfTheFreeListAndClaimsHandThemOutUntilExhausted()
    {
        final int free = grants.freeRefCount();
        final GrantRefPool pool = grants.reservePool(16);
        assertEquals(free - 16, grants.freeRefCount());
        assertEquals(16, grants.pooledRefCount());
        assertEquals(16, pool.capacity());

        final Set<Integer> refs = new HashSet<>();
        for (int i = 0; i < 16; i++)
        {
            final int ref = pool.claimAccess(DomainId.DOM0, DATA_GFN, false);
            assertTrue(pool.owns(ref));
            assertTrue(refs.add(ref), "distinct: " + ref);
        }
        assertEquals(GrantRefPool.NO_REF, pool.claimAccess(DomainId.DOM0, DATA_GFN, false), "exhausted");
        assertEquals(16, pool.claimedCount());
        assertEquals(0, pool.availableCount());
        assertEquals(free - 16, grants.freeRefCount(), "the table's free list is not touched by claims");

        // a claimed ref is a live grant of our frame to the grantee, with the access asked for
        domU.guestMemory().frame(DATA_GFN).putLong(0, 0x1234_5678_9ABCL);
        final int ref = refs.iterator().next();
        final int handle = dom0Grants.mapGrantRef(domU.domid(), ref, true);
        assertTrue(handle >= 0, GrantStatus.message(handle));
        assertEquals(0x1234_5678_9ABCL, dom0Grants.readOnlyView(handle).getLong(0));
        dom0Grants.unmapGrantRef(handle);

        for (final int claimed : refs)
        {
            assertTrue(pool.releaseAccess(claimed), "nobody maps it: revoked at once");
        }
        assertEquals(16, pool.availableCount());
        assertEquals(0, pool.claimedCount());
        // revoked: the grantee can no longer map it
        assertTrue(dom0Grants.mapGrantRef(domU.domid(), ref, true) < 0);
        assertThrows(IllegalArgumentException.class, () -> pool.releaseAccess(ref), "released twice");
        assertThrows(IllegalArgumentException.class, () -> grants.tryEndAccess(ref), "the pool's, not the table's");
        assertThrows(IllegalArgumentException.class, () -> grants.reservePool(grants.freeRefCount() + 1));
    }

    @Test
    void aReadOnlyClaimCannotBeMappedWritable()
    {
        final GrantRefPool pool = grants.reservePool(2);
        final int readOnly = pool.claimAccess(DomainId.DOM0, DATA_GFN, true);
        assertEquals(GrantStatus.GENERAL_ERROR, dom0Grants.mapGrantRef(domU.domid(), readOnly, false));
        final int writable = pool.claimAccess(DomainId.DOM0, OTHER_GFN, false);
        final int handle = dom0Grants.mapGrantRef(domU.domid(), writable, false);
        assertTrue(handle >= 0, GrantStatus.message(handle));
        dom0Grants.writableView(handle).putInt(8, 77);
        assertEquals(77, domU.guestMemory().frame(OTHER_GFN).getInt(8));
        dom0Grants.unmapGrantRef(handle);
    }

    @Test
    void aRefTheGranteeStillMapsIsNotHandedOutAgainUntilRevoked()
    {
        final GrantRefPool pool = grants.reservePool(4);
        final int mapped = pool.claimAccess(DomainId.DOM0, DATA_GFN, false);
        final int handle = dom0Grants.mapGrantRef(domU.domid(), mapped, false);
        assertTrue(handle >= 0, GrantStatus.message(handle));

        assertFalse(pool.releaseAccess(mapped), "still mapped: kept back");
        assertEquals(1, pool.revokingCount());
        assertEquals(3, pool.availableCount());
        assertEquals(0, pool.retryRevokes(), "still mapped");
        for (int i = 0; i < 3; i++)
        {
            assertNotEquals(mapped, pool.claimAccess(DomainId.DOM0, OTHER_GFN, false));
        }
        assertEquals(GrantRefPool.NO_REF, pool.claimAccess(DomainId.DOM0, OTHER_GFN, false));
        // the grantee's mapping still reaches the frame first granted, never another
        domU.guestMemory().frame(DATA_GFN).putInt(0, 41);
        assertEquals(41, dom0Grants.writableView(handle).getInt(0));

        dom0Grants.unmapGrantRef(handle);
        assertEquals(1, pool.retryRevokes());
        assertEquals(0, pool.revokingCount());
        assertEquals(mapped, pool.claimAccess(DomainId.DOM0, OTHER_GFN, true), "available again once revoked");
    }

    @Test
    void returningThePoolGivesEveryRefBackTheMappedOnesOnceRevoked()
    {
        final int free = grants.freeRefCount();
        final GrantRefPool pool = grants.reservePool(8);
        final int kept = pool.claimAccess(DomainId.DOM0, DATA_GFN, false);
        final int released = pool.claimAccess(DomainId.DOM0, DATA_GFN, false);
        final int stillClaimed = pool.claimAccess(DomainId.DOM0, DATA_GFN, true);
        final int mappedAfterRelease = pool.claimAccess(DomainId.DOM0, DATA_GFN, false);
        final int keptHandle = dom0Grants.mapGrantRef(domU.domid(), kept, false);
        final int otherHandle = dom0Grants.mapGrantRef(domU.domid(), mappedAfterRelease, true);
        assertTrue(keptHandle >= 0 && otherHandle >= 0);
        assertTrue(pool.releaseAccess(released));
        assertFalse(pool.releaseAccess(mappedAfterRelease));
        dom0Grants.unmapGrantRef(otherHandle); // let go before the return: revoked by it

        final IntArrayList stillInUse = new IntArrayList();
        assertEquals(1, grants.returnPool(pool, stillInUse));
        assertEquals(1, stillInUse.size());
        assertEquals(kept, stillInUse.getInt(0));
        assertTrue(pool.isReturned());
        assertEquals(0, grants.pooledRefCount());
        assertEquals(free - 1, grants.freeRefCount(), "all but the mapped one are free, the claimed one revoked");
        assertTrue(dom0Grants.mapGrantRef(domU.domid(), stillClaimed, true) < 0, "the claimed one was revoked");
        assertThrows(IllegalStateException.class, () -> pool.claimAccess(DomainId.DOM0, DATA_GFN, false));
        assertEquals(0, grants.returnPool(pool, stillInUse), "idempotent");

        assertFalse(grants.tryEndAccess(kept), "the grantee still maps it");
        dom0Grants.unmapGrantRef(keptHandle);
        assertTrue(grants.tryEndAccess(kept));
        assertEquals(free, grants.freeRefCount());
    }

    @Test
    void claimAndReleaseAllocateNothing()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        final GrantRefPool pool = grants.reservePool(32);
        final int[] refs = new int[11];
        final Runnable round = () ->
        {
            for (int i = 0; i < refs.length; i++)
            {
                refs[i] = pool.claimAccess(DomainId.DOM0, DATA_GFN + i % 2, i % 3 == 0);
            }
            for (final int ref : refs)
            {
                pool.releaseAccess(ref);
            }
            pool.retryRevokes();
        };
        for (int i = 0; i < 20_000; i++)
        {
            round.run();
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 50_000; i++)
        {
            round.run();
        }
        final long bytes = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(bytes < 5_000, "allocated " + bytes + " bytes in 50000 rounds");
    }
}
