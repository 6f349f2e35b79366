package io.pvio.hypervisor.memory;

import io.pvio.hypervisor.ScriptedGuest;
import io.pvio.hypervisor.TestHypervisor;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.grant.GrantStatus;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.GrantTableOp;
import io.pvio.hypervisor.hypercall.HypercallException;
import io.pvio.hypervisor.hypercall.MemoryOp;
import io.pvio.hypervisor.hypercall.XenErrno;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Machine-contiguous extents ({@code XENMEM_increase_reservation} with an extent order) and the one-buffer views
 * over them that multi-page rings need: the guest's own, and a back end's over its grant mappings. Each view must
 * die with any of its frames.
 */
class ContiguousExtentTest
{
    private final TestHypervisor t = TestHypervisor.boot(128);
    private final Domain domU = t.createRunning(
        TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])).memoryPages(8).maxPages(48).gfnCount(64));
    private final MemoryOp memory = domU.hypercalls().memory();
    private final GrantAccess grants = new GrantAccess(domU.guestMemory(), domU.startInfo());
    private final GrantTableOp dom0Gnttab = t.dom0Hypercalls().grantTable();

    @AfterEach
    void close()
    {
        t.close();
    }

    private long[] extent(final int order)
    {
        final long[] first = new long[1];
        assertEquals(1, memory.increaseReservation(DomainId.SELF, 1, order, first));
        final long[] gfns = new long[1 << order];
        for (int i = 0; i < gfns.length; i++)
        {
            gfns[i] = first[0] + i;
        }
        return gfns;
    }

    @Test
    void anExtentIsAlignedConsecutiveGfnsOnConsecutiveFrames()
    {
        final long[] gfns = extent(2);
        assertEquals(0, gfns[0] % 4, "aligned to its size");
        final int firstMfn = domU.physmap().mfn(gfns[0]);
        for (int i = 0; i < 4; i++)
        {
            assertEquals(firstMfn + i, domU.physmap().mfn(gfns[i]));
            assertEquals(0, domU.guestMemory().frame(gfns[i]).getLong(0), "fresh frames are zeroed");
        }
        assertEquals(12, memory.currentReservation(DomainId.SELF));
    }

    @Test
    void badOrdersAndTheCeilingAreRefused()
    {
        assertEquals(XenErrno.EINVAL, assertThrows(HypercallException.class,
            () -> memory.increaseReservation(DomainId.SELF, 1, Physmap.MAX_EXTENT_ORDER + 1, new long[1])).errno(),
            "more than a 2 MiB superpage");
        assertEquals(XenErrno.EINVAL, assertThrows(HypercallException.class,
            () -> memory.increaseReservation(DomainId.SELF, 1, -1, new long[1])).errno());
        extent(4);
        extent(4);
        assertEquals(XenErrno.ENOMEM, assertThrows(HypercallException.class,
            () -> memory.increaseReservation(DomainId.SELF, 1, 4, new long[1])).errno(), "8 + 32 + 16 > 48 pages");
    }

    @Test
    void fragmentedMachineMemoryHasNoRunToGive()
    {
        final MachineMemory machine = MachineMemory.offHeap(8);
        final int[] mfns = new int[8];
        for (int i = 0; i < 8; i++)
        {
            mfns[i] = machine.claimFrame(1);
        }
        machine.releaseFrame(mfns[1]);
        machine.releaseFrame(mfns[3]);
        machine.releaseFrame(mfns[5]);
        assertEquals(MachineMemory.INVALID_MFN, machine.claimContiguous(2, 2), "three free frames, no two adjacent");
        machine.releaseFrame(mfns[4]);
        final int first = machine.claimContiguous(2, 3);
        assertEquals(3, first);
        assertEquals(1, machine.freeFrameCount());
        assertEquals(2, machine.ownerToken(4));
        machine.releaseFrame(4);
        assertEquals(2, machine.freeFrameCount(), "each frame of an extent is released on its own");
        assertEquals(4, machine.claimFrame(3), "the free pool still works as a stack: last freed first");
        assertEquals(1, machine.claimFrame(3));
    }

    @Test
    void theGuestsAreaViewSpansTheExtentAndDiesWithAnyOfItsFrames()
    {
        final long[] gfns = extent(2);
        final AtomicBuffer area = domU.guestMemory().area(gfns[0], 4);
        assertEquals(4 * MachineMemory.PAGE_SIZE_BYTES, area.capacity());
        area.putLong(2 * MachineMemory.PAGE_SIZE_BYTES + 8, 0x1122334455667788L);
        assertEquals(0x1122334455667788L, domU.guestMemory().frame(gfns[2]).getLong(8));

        final AtomicBuffer page3 = domU.guestMemory().frame(gfns[3]);
        memory.decreaseReservation(DomainId.SELF, new long[] {gfns[1]}, 1);
        area.putLong(3 * MachineMemory.PAGE_SIZE_BYTES, -1L); // a stale view writes the domain's own sink only
        assertEquals(0, page3.getLong(0), "the revoked area no longer reaches the frames");
        assertEquals(4 * MachineMemory.PAGE_SIZE_BYTES, area.capacity());
    }

    @Test
    void aFrameIsInOneLiveAreaAtATimeSoNoAreaOutlivesItsFrames()
    {
        final long[] gfns = extent(1);
        final AtomicBuffer whole = domU.guestMemory().area(gfns[0], 2);
        // an overlapping second area would be forgotten when the first is revoked: refused
        assertEquals(XenErrno.EBUSY,
            assertThrows(MemoryFaultException.class, () -> domU.guestMemory().area(gfns[1], 1)).errno());
        memory.decreaseReservation(DomainId.SELF, new long[] {gfns[1]}, 1);
        final int freed = domU.physmap().mfn(gfns[0]) + 1;
        assertEquals(0, t.hv.memory().refCount(freed), "the frame is back in the free pool");
        whole.putLong(MachineMemory.PAGE_SIZE_BYTES, -1L);
        assertEquals(0, t.hv.memory().buffer().getLong(t.hv.memory().frameOffset(freed)), "and out of reach");
        // the revoked area is forgotten by both gfns: the one left may be part of a new area
        assertEquals(MachineMemory.PAGE_SIZE_BYTES, domU.guestMemory().area(gfns[0], 1).capacity());
    }

    @Test
    void aMappingIsInOneLiveAreaAtATime()
    {
        final long[] gfns = extent(1);
        final int a = dom0Gnttab.mapGrantRef(domU.domid(), grants.grantAccess(DomainId.DOM0, gfns[0], false), false);
        final int b = dom0Gnttab.mapGrantRef(domU.domid(), grants.grantAccess(DomainId.DOM0, gfns[1], false), false);
        final AtomicBuffer both = dom0Gnttab.writableAreaView(new int[] {a, b}, 2);
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.writableAreaView(new int[] {b}, 1));
        dom0Gnttab.unmapGrantRef(b);
        both.putLong(MachineMemory.PAGE_SIZE_BYTES, -1L);
        assertEquals(0, domU.guestMemory().frame(gfns[1]).getLong(0), "revoked with its second mapping");
        assertEquals(MachineMemory.PAGE_SIZE_BYTES, dom0Gnttab.writableAreaView(new int[] {a}, 1).capacity(),
            "the surviving mapping forgot the dead area");
    }

    @Test
    void pagesThatAreNotOneExtentHaveNoAreaView()
    {
        memory.populatePhysmap(DomainId.SELF, new long[] {40}, 1);
        memory.populatePhysmap(DomainId.SELF, new long[] {20}, 1);
        memory.populatePhysmap(DomainId.SELF, new long[] {41}, 1);
        assertNotEquals(domU.physmap().mfn(40) + 1, domU.physmap().mfn(41), "stack order: 41 is not after 40");
        assertEquals(XenErrno.EFAULT,
            assertThrows(MemoryFaultException.class, () -> domU.guestMemory().area(40, 2)).errno());
        assertEquals(XenErrno.EFAULT,
            assertThrows(MemoryFaultException.class, () -> domU.guestMemory().area(42, 2)).errno(), "empty");
        assertEquals(XenErrno.EINVAL,
            assertThrows(MemoryFaultException.class, () -> domU.guestMemory().area(0, 17)).errno());
    }

    @Test
    void aBackEndSeesAGrantedExtentAsOneBufferUntilAnyPageIsUnmapped()
    {
        final long[] gfns = extent(2);
        final int[] handles = new int[4];
        for (int i = 0; i < 4; i++)
        {
            handles[i] = dom0Gnttab.mapGrantRef(domU.domid(), grants.grantAccess(DomainId.DOM0, gfns[i], false), false);
            assertTrue(handles[i] >= 0, GrantStatus.message(handles[i]));
        }
        final AtomicBuffer ring = dom0Gnttab.writableAreaView(handles, 4);
        ring.putInt(3 * MachineMemory.PAGE_SIZE_BYTES + 100, 42);
        assertEquals(42, domU.guestMemory().frame(gfns[3]).getInt(100));

        assertEquals(GrantStatus.OKAY, dom0Gnttab.unmapGrantRef(handles[2]));
        ring.putInt(3 * MachineMemory.PAGE_SIZE_BYTES + 100, 7);
        assertEquals(42, domU.guestMemory().frame(gfns[3]).getInt(100), "revoked with its third page");
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.writableAreaView(handles, 4), "a dead handle");
    }

    @Test
    void scatteredReadOnlyOrOutOfOrderMappingsAreNotOneBuffer()
    {
        final long[] gfns = extent(1);
        final long[] other = extent(1);
        final int a = dom0Gnttab.mapGrantRef(domU.domid(), grants.grantAccess(DomainId.DOM0, gfns[0], false), false);
        final int b = dom0Gnttab.mapGrantRef(domU.domid(), grants.grantAccess(DomainId.DOM0, gfns[1], false), false);
        final int c = dom0Gnttab.mapGrantRef(domU.domid(), grants.grantAccess(DomainId.DOM0, other[1], false), false);
        final int readOnly =
            dom0Gnttab.mapGrantRef(domU.domid(), grants.grantAccess(DomainId.DOM0, gfns[1], true), true);
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.writableAreaView(new int[] {b, a}, 2));
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.writableAreaView(new int[] {a, c}, 2));
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.writableAreaView(new int[] {a, readOnly}, 2));
        assertEquals(2 * MachineMemory.PAGE_SIZE_BYTES, dom0Gnttab.writableAreaView(new int[] {a, b}, 2).capacity());
    }
}
