package io.pvio.hypervisor.grant;

import io.pvio.hypervisor.ScriptedGuest;
import io.pvio.hypervisor.TestHypervisor;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.GrantTableOp;
import io.pvio.hypervisor.memory.ReadOnlyFrame;
import io.pvio.ring.grant.GrantEntryV1Descriptor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GrantTablesTest
{
    private static final long DATA_GFN = 5;
    private static final long DOM0_GFN = 6;

    private final TestHypervisor t = TestHypervisor.boot(256);
    private final Domain granter = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])));
    private final GrantAccess grants = new GrantAccess(granter.guestMemory(), granter.startInfo());
    private final AtomicBuffer granterPage = granter.guestMemory().frame(DATA_GFN);
    private final GrantTableOp dom0Gnttab = t.dom0Hypercalls().grantTable();

    @AfterEach
    void close()
    {
        t.close();
    }

    private int flags(final int ref)
    {
        final AtomicBuffer table = granter.guestMemory().frame(Domain.FIRST_GRANT_TABLE_GFN);
        return table.getShortVolatile(GrantEntryV1Descriptor.entryOffset(ref) + GrantEntryV1Descriptor.FLAGS_OFFSET) &
            0xFFFF;
    }

    @Test
    void writableMapSetsInUseFlagsAndSharesTheFrame()
    {
        final int ref = grants.grantAccess(DomainId.DOM0, DATA_GFN, false);
        final int handle = dom0Gnttab.mapGrantRef(granter.domid(), ref, false);
        assertTrue(handle >= 0, GrantStatus.message(handle));
        assertEquals(GrantEntryV1Descriptor.GTF_PERMIT_ACCESS | GrantEntryV1Descriptor.GTF_READING |
            GrantEntryV1Descriptor.GTF_WRITING, flags(ref));
        assertTrue(grants.isInUse(ref));
        assertFalse(grants.tryEndAccess(ref), "the granter cannot revoke a mapped grant");

        final AtomicBuffer view = dom0Gnttab.writableView(handle);
        view.putLong(128, 0x0102030405060708L);
        assertEquals(0x0102030405060708L, granterPage.getLong(128));
        granterPage.putInt(0, 77);
        assertEquals(77, dom0Gnttab.readOnlyView(handle).getInt(0));
        assertEquals(1, dom0Gnttab.mappingsHeld());
        assertEquals(1, granter.grantTable().pinnedRefs());

        assertEquals(GrantStatus.OKAY, dom0Gnttab.unmapGrantRef(handle));
        assertEquals(GrantEntryV1Descriptor.GTF_PERMIT_ACCESS, flags(ref));
        assertFalse(grants.isInUse(ref));
        view.putLong(128, -1L);
        assertEquals(0x0102030405060708L, granterPage.getLong(128), "the unmapped view no longer reaches the frame");
        assertTrue(grants.tryEndAccess(ref));
        assertEquals(GrantStatus.GENERAL_ERROR, dom0Gnttab.mapGrantRef(granter.domid(), ref, false), "revoked");
        assertEquals(0, dom0Gnttab.mappingsHeld());
        assertEquals(0, granter.grantTable().pinnedRefs());
    }

    @Test
    void readOnlyGrantGivesOnlyAReadOnlyView()
    {
        granterPage.putInt(64, 1234);
        final int ref = grants.grantAccess(DomainId.DOM0, DATA_GFN, true);
        assertEquals(GrantStatus.GENERAL_ERROR, dom0Gnttab.mapGrantRef(granter.domid(), ref, false));
        assertFalse(grants.isInUse(ref), "a refused map leaves no trace");

        final int handle = dom0Gnttab.mapGrantRef(granter.domid(), ref, true);
        assertTrue(handle >= 0);
        assertEquals(GrantEntryV1Descriptor.GTF_PERMIT_ACCESS | GrantEntryV1Descriptor.GTF_READONLY |
            GrantEntryV1Descriptor.GTF_READING, flags(ref));
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.writableView(handle));
        final ReadOnlyFrame view = dom0Gnttab.readOnlyView(handle);
        assertEquals(1234, view.getInt(64));
        assertFalse(DirectBuffer.class.isAssignableFrom(ReadOnlyFrame.class), "no buffer type, so no put or wrap");
        dom0Gnttab.unmapGrantRef(handle);
        assertEquals(GrantEntryV1Descriptor.GTF_PERMIT_ACCESS | GrantEntryV1Descriptor.GTF_READONLY, flags(ref));
    }

    @Test
    void readingAndWritingBitsFollowTheirOwnPins()
    {
        final int ref = grants.grantAccess(DomainId.DOM0, DATA_GFN, false);
        final int reader = dom0Gnttab.mapGrantRef(granter.domid(), ref, true);
        final int writer = dom0Gnttab.mapGrantRef(granter.domid(), ref, false);
        assertEquals(2, granter.grantTable().pinCount(ref));
        dom0Gnttab.unmapGrantRef(writer);
        assertEquals(GrantEntryV1Descriptor.GTF_PERMIT_ACCESS | GrantEntryV1Descriptor.GTF_READING, flags(ref));
        dom0Gnttab.unmapGrantRef(reader);
        assertEquals(GrantEntryV1Descriptor.GTF_PERMIT_ACCESS, flags(ref));
    }

    @Test
    void badArgumentsGetXensStatuses()
    {
        final int ref = grants.grantAccess(DomainId.DOM0, DATA_GFN, false);
        assertEquals(GrantStatus.BAD_DOMAIN, dom0Gnttab.mapGrantRef(777, ref, false));
        assertEquals(GrantStatus.BAD_GNTREF, dom0Gnttab.mapGrantRef(granter.domid(), 512, false));
        assertEquals(GrantStatus.BAD_GNTREF, dom0Gnttab.mapGrantRef(granter.domid(), -1, false));
        assertEquals(GrantStatus.GENERAL_ERROR, dom0Gnttab.mapGrantRef(granter.domid(), ref + 1, false), "not granted");
        assertEquals(GrantStatus.BAD_HANDLE, dom0Gnttab.unmapGrantRef(0));
        assertEquals(GrantStatus.BAD_HANDLE, dom0Gnttab.unmapGrantRef(-5));
        final int handle = dom0Gnttab.mapGrantRef(granter.domid(), ref, false);
        assertEquals(GrantStatus.OKAY, dom0Gnttab.unmapGrantRef(handle));
        assertEquals(GrantStatus.BAD_HANDLE, dom0Gnttab.unmapGrantRef(handle));
        assertEquals("invalid grant reference", GrantStatus.message(GrantStatus.BAD_GNTREF));
    }

    @Test
    void grantOfAFrameTheGranterDoesNotHaveMapsNothing()
    {
        final int ref = grants.grantAccess(DomainId.DOM0, 7_000, false);
        assertEquals(GrantStatus.GENERAL_ERROR, dom0Gnttab.mapGrantRef(granter.domid(), ref, false));
        assertFalse(grants.isInUse(ref));
    }

    @Test
    void maptrackLimitIsEnforced()
    {
        final Domain mapper = t.createRunning(
            TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])).maptrackEntries(2));
        final GrantTableOp gnttab = mapper.hypercalls().grantTable();
        final int ref = grants.grantAccess(mapper.domid(), DATA_GFN, false);
        final int first = gnttab.mapGrantRef(granter.domid(), ref, false);
        final int second = gnttab.mapGrantRef(granter.domid(), ref, true);
        assertTrue(first >= 0 && second >= 0 && first != second);
        assertEquals(GrantStatus.NO_SPACE, gnttab.mapGrantRef(granter.domid(), ref, true));
        gnttab.unmapGrantRef(first);
        final int third = gnttab.mapGrantRef(granter.domid(), ref, true);
        assertEquals(first, third, "handles are reused");
        assertEquals(2, mapper.maptrack().inUse());
    }

    @Test
    void aDomainMayMapItsOwnGrant()
    {
        final int ref = grants.grantAccess(granter.domid(), DATA_GFN, false);
        final GrantTableOp own = granter.hypercalls().grantTable();
        final int handle = own.mapGrantRef(DomainId.SELF, ref, false);
        own.writableView(handle).putInt(8, 5);
        assertEquals(5, granterPage.getInt(8));
        assertEquals(GrantStatus.OKAY, own.unmapGrantRef(handle));
    }

    @Test
    void destroyedGranterFrameLivesUntilTheLastUnmap()
    {
        final int freeBefore = t.hv.memory().freeFrameCount();
        final Domain doomed = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])));
        final GrantAccess doomedGrants = new GrantAccess(doomed.guestMemory(), doomed.startInfo());
        doomed.guestMemory().frame(DATA_GFN).putLong(0, 42L);
        final int ref = doomedGrants.grantAccess(DomainId.DOM0, DATA_GFN, false);
        final int handle = dom0Gnttab.mapGrantRef(doomed.domid(), ref, false);

        t.dom0Hypercalls().domctl().destroyDomain(doomed.domid());
        assertEquals(freeBefore - 1, t.hv.memory().freeFrameCount(), "only the mapped frame survives");
        assertEquals(42L, dom0Gnttab.writableView(handle).getLong(0));
        assertEquals(GrantStatus.OKAY, dom0Gnttab.unmapGrantRef(handle));
        assertEquals(freeBefore, t.hv.memory().freeFrameCount());
        assertEquals(0, t.hv.memory().countFramesOwnedBy(doomed.token()));
    }

    @Test
    void copyMovesBytesBothWaysWithAStatusPerElement()
    {
        final int readable = grants.grantAccess(DomainId.DOM0, DATA_GFN, true);
        final int writable = grants.grantAccess(DomainId.DOM0, DATA_GFN + 1, false);
        granterPage.putLong(100, 0xCAFEL);
        final AtomicBuffer dom0Page = t.dom0().guestMemory().frame(DOM0_GFN);
        dom0Page.putLong(8, 0xBEEFL);

        final GrantCopyBatch batch = new GrantCopyBatch(8);
        final int in = batch.addFromGrant(granter.domid(), readable, 100, DOM0_GFN, 0, 8);
        final int out = batch.addToGrant(DOM0_GFN, 8, granter.domid(), writable, 4088, 8);
        final int toReadOnly = batch.addToGrant(DOM0_GFN, 8, granter.domid(), readable, 0, 8);
        final int crossesPage = batch.addFromGrant(granter.domid(), readable, 4090, DOM0_GFN, 0, 8);
        final int notMine = batch.add(0, DOM0_GFN, granter.domid(), 0, DOM0_GFN, DomainId.SELF, 0, 8);
        final int noFrame = batch.addFromGrant(granter.domid(), readable, 0, 9_999, 0, 8);
        final int badFlags = batch.add(4, DOM0_GFN, DomainId.SELF, 0, DOM0_GFN, DomainId.SELF, 0, 8);
        final int notGranted = batch.addFromGrant(granter.domid(), writable + 1, 0, DOM0_GFN, 0, 8);
        dom0Gnttab.copy(batch);

        assertEquals(GrantStatus.OKAY, batch.status(in));
        assertEquals(0xCAFEL, dom0Page.getLong(0));
        assertEquals(GrantStatus.OKAY, batch.status(out));
        assertEquals(0xBEEFL, granter.guestMemory().frame(DATA_GFN + 1).getLong(4088));
        assertEquals(GrantStatus.GENERAL_ERROR, batch.status(toReadOnly));
        assertEquals(GrantStatus.BAD_COPY_ARG, batch.status(crossesPage));
        assertEquals(GrantStatus.PERMISSION_DENIED, batch.status(notMine));
        assertEquals(GrantStatus.BAD_PAGE, batch.status(noFrame));
        assertEquals(GrantStatus.BAD_COPY_ARG, batch.status(badFlags));
        assertEquals(GrantStatus.GENERAL_ERROR, batch.status(notGranted));
        assertFalse(batch.allOkay());
        assertFalse(grants.isInUse(readable), "copy pins only while it copies");
        assertFalse(grants.isInUse(writable));
        assertEquals(0, granter.grantTable().pinnedRefs());

        batch.clear();
        assertEquals(0, batch.size());
        batch.addFromGrant(granter.domid(), readable, 0, DOM0_GFN, 0, 0);
        dom0Gnttab.copy(batch);
        assertTrue(batch.allOkay(), "zero-length copies are fine");
    }

    @Test
    void copyBetweenTwoGrants()
    {
        final Domain other = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])));
        final GrantAccess otherGrants = new GrantAccess(other.guestMemory(), other.startInfo());
        final int source = grants.grantAccess(DomainId.DOM0, DATA_GFN, true);
        final int dest = otherGrants.grantAccess(DomainId.DOM0, DATA_GFN, false);
        granterPage.putInt(0, 31337);
        final GrantCopyBatch batch = new GrantCopyBatch(1);
        batch.add(GrantCopyBatch.GNTCOPY_SOURCE_GREF | GrantCopyBatch.GNTCOPY_DEST_GREF,
            source, granter.domid(), 0, dest, other.domid(), 16, 4);
        assertThrows(IllegalStateException.class, () -> batch.addFromGrant(0, 0, 0, 0, 0, 0));
        dom0Gnttab.copy(batch);
        assertEquals(GrantStatus.OKAY, batch.status(0));
        assertEquals(31337, other.guestMemory().frame(DATA_GFN).getInt(16));
        assertNotEquals(0, t.dom0().counters().count(io.pvio.hypervisor.hypercall.HypercallOp.GNTTAB_COPY));
    }
}
