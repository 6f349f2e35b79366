package io.pvio.hypervisor;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.domain.DomainState;
import io.pvio.hypervisor.grant.GrantCopyBatch;
import io.pvio.hypervisor.grant.GrantStatus;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.DomctlOp;
import io.pvio.hypervisor.hypercall.HypercallException;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.hypercall.XenErrno;
import io.pvio.hypervisor.memory.MemoryFaultException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A hostile domU against the hypervisor: every attempt fails with Xen's errno or grant status, and harms no one. */
class IsolationTest
{
    private static final long DATA_GFN = 5;

    private final TestHypervisor t = TestHypervisor.boot(256);
    private final Domain attacker = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])));
    private final Domain victim = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])));
    private final Hypercalls evil = attacker.hypercalls();
    private final GrantAccess victimGrants = new GrantAccess(victim.guestMemory(), victim.startInfo());

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
    void domUCannotDoPrivilegedOperations()
    {
        final DomctlOp domctl = evil.domctl();
        final int victimId = victim.domid();
        assertErrno(XenErrno.EPERM, () -> domctl.createDomain(new DomainConfig().image((v) -> null)));
        assertErrno(XenErrno.EPERM, () -> domctl.destroyDomain(victimId));
        assertErrno(XenErrno.EPERM, () -> domctl.pauseDomain(victimId));
        assertErrno(XenErrno.EPERM, () -> domctl.unpauseDomain(victimId));
        assertErrno(XenErrno.EPERM, () -> domctl.getDomainInfo(victimId));
        assertErrno(XenErrno.EPERM, () -> domctl.getDomainInfo(DomainId.SELF));
        assertErrno(XenErrno.EPERM, domctl::listDomains);
        assertErrno(XenErrno.EPERM, () -> domctl.setMaxMem(attacker.domid(), 100_000));
        assertErrno(XenErrno.EPERM, () -> domctl.hypercallCounts(victimId));
        assertErrno(XenErrno.EPERM, () -> domctl.sendDebugVirq(victimId));
        assertErrno(XenErrno.EPERM, () -> evil.memory().currentReservation(victimId));
        assertErrno(XenErrno.EPERM, () -> evil.memory().populatePhysmap(victimId, new long[] {20}, 1));
        assertErrno(XenErrno.EPERM, () -> evil.eventChannel().allocUnbound(victimId, attacker.domid()));
        assertErrno(XenErrno.EPERM, () -> evil.eventChannel().status(victimId, 1));
        assertEquals(DomainState.RUNNING, victim.state());
    }

    @Test
    void domUCannotMapOrCopyAGrantNotGivenToIt()
    {
        final int toDom0 = victimGrants.grantAccess(DomainId.DOM0, DATA_GFN, false);
        assertEquals(GrantStatus.GENERAL_ERROR, evil.grantTable().mapGrantRef(victim.domid(), toDom0, false));
        assertEquals(GrantStatus.GENERAL_ERROR, evil.grantTable().mapGrantRef(victim.domid(), toDom0, true));
        assertEquals(GrantStatus.GENERAL_ERROR, evil.grantTable().mapGrantRef(victim.domid(), toDom0 + 1, true),
            "never granted at all");

        final GrantCopyBatch batch = new GrantCopyBatch(2);
        batch.addFromGrant(victim.domid(), toDom0, 0, DATA_GFN, 0, 64);
        batch.addToGrant(DATA_GFN, 0, victim.domid(), toDom0, 0, 64);
        evil.grantTable().copy(batch);
        assertEquals(GrantStatus.GENERAL_ERROR, batch.status(0));
        assertEquals(GrantStatus.GENERAL_ERROR, batch.status(1));
        assertEquals(0, victim.grantTable().pinnedRefs());
    }

    @Test
    void domUCannotMapOrCopyARevokedGrant()
    {
        final int ref = victimGrants.grantAccess(attacker.domid(), DATA_GFN, false);
        final int handle = evil.grantTable().mapGrantRef(victim.domid(), ref, false);
        evil.grantTable().unmapGrantRef(handle);
        assertTrue(victimGrants.tryEndAccess(ref));

        assertEquals(GrantStatus.GENERAL_ERROR, evil.grantTable().mapGrantRef(victim.domid(), ref, false));
        final GrantCopyBatch batch = new GrantCopyBatch(1);
        batch.addFromGrant(victim.domid(), ref, 0, DATA_GFN, 0, 8);
        evil.grantTable().copy(batch);
        assertEquals(GrantStatus.GENERAL_ERROR, batch.status(0));
    }

    @Test
    void domUCannotWriteThroughAReadOnlyGrant()
    {
        victim.guestMemory().frame(DATA_GFN).putLong(0, 7L);
        final int ref = victimGrants.grantAccess(attacker.domid(), DATA_GFN, true);
        assertEquals(GrantStatus.GENERAL_ERROR, evil.grantTable().mapGrantRef(victim.domid(), ref, false));
        final int handle = evil.grantTable().mapGrantRef(victim.domid(), ref, true);
        assertThrows(IllegalArgumentException.class, () -> evil.grantTable().writableView(handle));
        final GrantCopyBatch batch = new GrantCopyBatch(1);
        batch.addToGrant(DATA_GFN, 0, victim.domid(), ref, 0, 8);
        evil.grantTable().copy(batch);
        assertEquals(GrantStatus.GENERAL_ERROR, batch.status(0));
        assertEquals(7L, victim.guestMemory().frame(DATA_GFN).getLong(0));
        assertEquals(7L, evil.grantTable().readOnlyView(handle).getLong(0));
    }

    @Test
    void domUCannotReachBeyondTheGrantedFrame()
    {
        final int ref = victimGrants.grantAccess(attacker.domid(), DATA_GFN, false);
        final GrantCopyBatch batch = new GrantCopyBatch(4);
        batch.addFromGrant(victim.domid(), ref, 4000, DATA_GFN, 0, 200);
        batch.addFromGrant(victim.domid(), ref, -8, DATA_GFN, 0, 8);
        batch.addFromGrant(victim.domid(), ref, 0, DATA_GFN, 0, -1);
        batch.addFromGrant(victim.domid(), ref, 0, DATA_GFN, 4095, 2);
        evil.grantTable().copy(batch);
        for (int i = 0; i < 4; i++)
        {
            assertEquals(GrantStatus.BAD_COPY_ARG, batch.status(i));
        }
        final int handle = evil.grantTable().mapGrantRef(victim.domid(), ref, false);
        assertThrows(IndexOutOfBoundsException.class, () -> evil.grantTable().writableView(handle).putLong(4092, 1));
    }

    @Test
    void domUCannotSendOnAPortItDoesNotOwn()
    {
        final int victimPort = victim.hypercalls().eventChannel().allocUnbound(DomainId.DOM0);
        t.dom0Hypercalls().eventChannel().bindInterdomain(victim.domid(), victimPort);
        assertEquals(XenErrno.EINVAL.negated(), evil.eventChannel().send(victimPort), "that number is free here");
        assertEquals(XenErrno.EINVAL.negated(), evil.eventChannel().send(-1));
        assertEquals(XenErrno.EINVAL.negated(), evil.eventChannel().send(100_000));
        assertEquals(XenErrno.EINVAL.negated(), evil.eventChannel().unmask(5_000));
        assertErrno(XenErrno.EINVAL, () -> evil.eventChannel().close(victimPort));
        assertErrno(XenErrno.EINVAL, () -> evil.eventChannel().bindInterdomain(victim.domid(), victimPort));
        assertTrue(victim.hypercalls().eventChannel().status(victimPort).remoteDomid() == DomainId.DOM0);
    }

    @Test
    void domUCannotTouchFramesOutsideItsReservation()
    {
        final int gfnCount = attacker.guestMemory().gfnCount();
        assertEquals(XenErrno.EINVAL,
            assertThrows(MemoryFaultException.class, () -> attacker.guestMemory().frame(gfnCount)).errno());
        assertEquals(XenErrno.EINVAL,
            assertThrows(MemoryFaultException.class, () -> attacker.guestMemory().frame(-1)).errno());

        assertEquals(1, evil.memory().decreaseReservation(DomainId.SELF, new long[] {DATA_GFN}, 1));
        assertEquals(XenErrno.EFAULT,
            assertThrows(MemoryFaultException.class, () -> attacker.guestMemory().frame(DATA_GFN)).errno());
        assertErrno(XenErrno.ENOENT,
            () -> evil.memory().decreaseReservation(DomainId.SELF, new long[] {DATA_GFN}, 1));
        assertErrno(XenErrno.EINVAL,
            () -> evil.memory().decreaseReservation(DomainId.SELF, new long[] {gfnCount}, 1));
        assertErrno(XenErrno.EBUSY,
            () -> evil.memory().decreaseReservation(DomainId.SELF, new long[] {Domain.SHARED_INFO_GFN}, 1));
        assertErrno(XenErrno.EEXIST,
            () -> evil.memory().populatePhysmap(DomainId.SELF, new long[] {0}, 1));

        assertEquals(1, evil.memory().populatePhysmap(DomainId.SELF, new long[] {DATA_GFN}, 1));
        assertErrno(XenErrno.EINVAL,
            () -> evil.memory().populatePhysmap(DomainId.SELF, new long[] {gfnCount + 1}, 1));
        // at its ceiling (maxPages defaults to the initial reservation):
        assertErrno(XenErrno.ENOMEM, () -> evil.memory().increaseReservation(DomainId.SELF, 1, new long[1]));

        final GrantCopyBatch batch = new GrantCopyBatch(1);
        final int ref = victimGrants.grantAccess(attacker.domid(), DATA_GFN, false);
        batch.addFromGrant(victim.domid(), ref, 0, gfnCount + 10, 0, 8);
        evil.grantTable().copy(batch);
        assertEquals(GrantStatus.BAD_PAGE, batch.status(0));
    }

    @Test
    void aStaleViewOfABalloonedFrameCannotReachItsNextOwner()
    {
        final org.agrona.concurrent.AtomicBuffer stale = attacker.guestMemory().frame(DATA_GFN);
        evil.memory().decreaseReservation(DomainId.SELF, new long[] {DATA_GFN}, 1);
        final Domain next = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])));
        stale.putLong(0, 0x5A5A5A5AL);
        for (long gfn = 0; gfn < next.guestMemory().gfnCount(); gfn++)
        {
            if (gfn != Domain.SHARED_INFO_GFN)
            {
                assertEquals(0L, next.guestMemory().frame(gfn).getLong(0));
            }
        }
    }

    @Test
    void aCrashingDomUHarmsNeitherDom0NorOthers()
    {
        final ScriptedGuest[] guest = new ScriptedGuest[1];
        final Domain crasher = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(guest)));
        guest[0].duty = (vcpu) ->
        {
            vcpu.memory().frame(10_000);
            return 1;
        };
        crasher.vcpu(0).doWork();
        assertEquals(DomainState.SHUTDOWN, crasher.state());
        t.hv.reaper().doWork();
        assertEquals(DomainState.RUNNING, t.dom0().state());
        assertEquals(DomainState.RUNNING, victim.state());
        assertTrue(crasher.crashCause() instanceof MemoryFaultException);
    }
}
