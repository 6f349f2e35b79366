package io.pvio.hypervisor.memory;

import io.pvio.hypervisor.hypercall.XenErrno;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PhysmapTest
{
    private final MachineMemory memory = MachineMemory.offHeap(8);
    private final Physmap physmap = new Physmap(memory, 5, 6, 3, new SinkFrame());

    @Test
    void populatesWithinTheCeiling()
    {
        assertEquals(0, physmap.populate(0));
        assertEquals(0, physmap.populate(4));
        assertEquals(-XenErrno.EEXIST.code(), physmap.populate(4));
        assertEquals(0, physmap.populate(5));
        assertEquals(XenErrno.ENOMEM.negated(), physmap.populate(1), "maxPages is 3");
        assertEquals(XenErrno.EINVAL.negated(), physmap.populate(6));
        assertEquals(XenErrno.EINVAL.negated(), physmap.populate(-1));
        assertEquals(3, physmap.populatedPages());
        assertEquals(3, memory.countFramesOwnedBy(5));
        assertEquals(1, physmap.lowestEmptyGfn());

        physmap.maxPages(4);
        assertEquals(0, physmap.populate(1));
    }

    @Test
    void machineExhaustionIsEnomem()
    {
        final Physmap big = new Physmap(memory, 6, 16, 16, new SinkFrame());
        for (int gfn = 0; gfn < 8; gfn++)
        {
            assertEquals(0, big.populate(gfn));
        }
        assertEquals(XenErrno.ENOMEM.negated(), big.populate(8));
        assertEquals(8, big.releaseAll());
        assertEquals(8, memory.freeFrameCount());
    }

    @Test
    void depopulateReturnsTheFrameAndRevokesTheView()
    {
        assertEquals(0, physmap.populate(2));
        final int mfn = physmap.mfn(2);
        final AtomicBuffer view = physmap.guestView(2);
        assertSame(view, physmap.guestView(2));
        view.putInt(0, 99);
        assertEquals(0, physmap.depopulate(2));
        assertEquals(8, memory.freeFrameCount());
        view.putInt(0, 77);
        assertEquals(0, memory.buffer().getInt(memory.frameOffset(mfn)), "stale view no longer reaches the frame");
        assertEquals(XenErrno.ENOENT.negated(), physmap.depopulate(2));
        assertEquals(XenErrno.EINVAL.negated(), physmap.depopulate(99));
    }

    @Test
    void pinnedFramesCannotBeReleasedByTheGuest()
    {
        assertEquals(0, physmap.populate(0));
        physmap.pin(0);
        assertEquals(XenErrno.EBUSY.negated(), physmap.depopulate(0));
        assertTrue(physmap.isPopulated(0));
        assertEquals(1, physmap.releaseAll());
        assertFalse(physmap.isPopulated(0));
    }

    @Test
    void guestViewsFaultOutsideTheReservation()
    {
        final MemoryFaultException empty = assertThrows(MemoryFaultException.class, () -> physmap.guestView(3));
        assertEquals(XenErrno.EFAULT, empty.errno());
        final MemoryFaultException outside = assertThrows(MemoryFaultException.class, () -> physmap.guestView(6));
        assertEquals(XenErrno.EINVAL, outside.errno());
    }

    @Test
    void retainedFrameOutlivesItsGfn()
    {
        assertEquals(0, physmap.populate(1));
        final int mfn = physmap.retainFrame(1);
        assertNotEquals(MachineMemory.INVALID_MFN, mfn);
        assertEquals(0, physmap.depopulate(1));
        assertEquals(7, memory.freeFrameCount(), "still retained");
        memory.releaseFrame(mfn);
        assertEquals(8, memory.freeFrameCount());
        assertEquals(MachineMemory.INVALID_MFN, physmap.retainFrame(1));
    }

    @Test
    void nothingCanBePopulatedAfterTeardown()
    {
        physmap.releaseAll();
        assertEquals(XenErrno.EINVAL.negated(), physmap.populate(0));
    }
}
