package io.pvio.hypervisor.grant;

import io.pvio.hypervisor.ScriptedGuest;
import io.pvio.hypervisor.TestHypervisor;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.GrantTableOp;
import io.pvio.hypervisor.hypercall.MemoryOp;
import io.pvio.hypervisor.memory.MachineMemory;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Device buffers over granted frames ({@code GNTMAP_device_map}) and bus addresses ({@code dev_bus_addr}): one
 * direct {@link ByteBuffer} over a back end's live writable mappings of machine-contiguous frames, shared both ways
 * with the granter's pages; anything else is refused.
 */
class DeviceBufferTest
{
    private static final int PAGE = MachineMemory.PAGE_SIZE_BYTES;

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

    /** The gfns of one fresh extent of {@code 2^order} machine-contiguous frames. */
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

    private int mapFromDomU(final long gfn, final boolean readOnly)
    {
        final int handle =
            dom0Gnttab.mapGrantRef(domU.domid(), grants.grantAccess(DomainId.DOM0, gfn, readOnly), readOnly);
        assertTrue(handle >= 0, GrantStatus.message(handle));
        return handle;
    }

    @Test
    void contentsAreSharedBothWaysWithTheGrantersPages()
    {
        final long[] gfns = extent(2);
        final int[] handles = new int[4];
        for (int i = 0; i < handles.length; i++)
        {
            handles[i] = mapFromDomU(gfns[i], false);
        }
        final ByteBuffer device = dom0Gnttab.deviceBuffer(handles, 4);
        assertTrue(device.isDirect());
        assertEquals(0, device.position());
        assertEquals(4 * PAGE, device.capacity());
        assertEquals(4 * PAGE, device.limit());

        device.put(2 * PAGE + 24, (byte)0x77);
        assertEquals(0x77, domU.guestMemory().frame(gfns[2]).getByte(24));
        final AtomicBuffer last = domU.guestMemory().frame(gfns[3]);
        last.putByte(PAGE - 1, (byte)0x5A);
        assertEquals(0x5A, device.get(4 * PAGE - 1));

        final ByteBuffer single = dom0Gnttab.deviceBuffer(new int[] {handles[1]}, 1);
        assertEquals(PAGE, single.capacity());
        single.put(0, (byte)7);
        assertEquals(7, domU.guestMemory().frame(gfns[1]).getByte(0));
        assertEquals(7, device.get(PAGE), "two buffers over one frame see each other's bytes");
    }

    @Test
    void busAddressesAreMachineAddressesConsecutiveAcrossAnExtent()
    {
        final long[] gfns = extent(1);
        final int a = mapFromDomU(gfns[0], false);
        final int b = mapFromDomU(gfns[1], false);
        final int readOnly = mapFromDomU(gfns[1], true);
        assertEquals((long)domU.physmap().mfn(gfns[0]) << MachineMemory.PAGE_SHIFT, dom0Gnttab.busAddress(a));
        assertEquals(dom0Gnttab.busAddress(a) + PAGE, dom0Gnttab.busAddress(b));
        assertEquals(dom0Gnttab.busAddress(b), dom0Gnttab.busAddress(readOnly), "any live mapping has one");
        dom0Gnttab.unmapGrantRef(b);
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.busAddress(b), "unmapped");
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.busAddress(-1));
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.busAddress(1 << 20));
    }

    @Test
    void readOnlyDeadForeignAndScatteredMappingsAndBadCountsAreRefused()
    {
        // another domain's mapping, made first so that dom0 holds nothing on that handle number
        final Domain other = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])));
        final long[] gfns = extent(1);
        final int foreign = other.hypercalls().grantTable().mapGrantRef(
            domU.domid(), grants.grantAccess(other.domid(), gfns[0], false), false);
        assertTrue(foreign >= 0, GrantStatus.message(foreign));
        assertEquals(PAGE, other.hypercalls().grantTable().deviceBuffer(new int[] {foreign}, 1).capacity());
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.deviceBuffer(new int[] {foreign}, 1),
            "a handle of another domain's maptrack");

        final int a = mapFromDomU(gfns[0], false);
        final int b = mapFromDomU(gfns[1], false);
        final int readOnly = mapFromDomU(gfns[1], true);
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.deviceBuffer(new int[] {readOnly}, 1));
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.deviceBuffer(new int[] {a, readOnly}, 2),
            "contiguous, but read-only");
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.deviceBuffer(new int[] {b, a}, 2),
            "out of order");
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.deviceBuffer(new int[] {a, a}, 2),
            "one frame twice");
        final long[] elsewhere = extent(1);
        final int c = mapFromDomU(elsewhere[1], false);
        assertNotEquals(dom0Gnttab.busAddress(b) + PAGE, dom0Gnttab.busAddress(c));
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.deviceBuffer(new int[] {a, b, c}, 3),
            "not machine-contiguous");

        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.deviceBuffer(new int[] {a, b}, 0));
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.deviceBuffer(new int[] {a, b}, 3),
            "more than the handles given");
        assertThrows(IllegalArgumentException.class,
            () -> dom0Gnttab.deviceBuffer(new int[Maptrack.MAX_DEVICE_BUFFER_PAGES + 1],
            Maptrack.MAX_DEVICE_BUFFER_PAGES + 1));
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.deviceBuffer(new int[] {-1}, 1));

        assertEquals(2 * PAGE, dom0Gnttab.deviceBuffer(new int[] {a, b}, 2).capacity());
        assertEquals(GrantStatus.OKAY, dom0Gnttab.unmapGrantRef(b));
        assertThrows(IllegalArgumentException.class, () -> dom0Gnttab.deviceBuffer(new int[] {a, b}, 2),
            "a dead handle");
    }

    @Test
    void theFramesStayRetainedWhileMappedEvenAfterTheGranterDies()
    {
        final long[] gfns = extent(1);
        final int a = mapFromDomU(gfns[0], false);
        final int b = mapFromDomU(gfns[1], false);
        final int secondMfn = domU.physmap().mfn(gfns[1]);
        domU.guestMemory().frame(gfns[1]).putByte(8, (byte)42);
        final ByteBuffer device = dom0Gnttab.deviceBuffer(new int[] {a, b}, 2);

        t.dom0Hypercalls().domctl().destroyDomain(domU.domid());
        assertEquals(1, t.hv.memory().refCount(secondMfn), "the mapping keeps the frame");
        assertEquals(42, device.get(PAGE + 8));
        // the caller's side of the contract: forget the buffer, then unmap
        assertEquals(GrantStatus.OKAY, dom0Gnttab.unmapGrantRef(a));
        assertEquals(GrantStatus.OKAY, dom0Gnttab.unmapGrantRef(b));
        assertEquals(0, t.hv.memory().refCount(secondMfn), "freed with the last mapping");
    }

    @Test
    void machineMemoryDeviceBuffersStayInsideTheMachine()
    {
        final MachineMemory machine = MachineMemory.offHeap(4);
        machine.buffer().putByte(3 * PAGE + 5, (byte)9);
        assertEquals(9, machine.newDeviceBuffer(2, 2).get(PAGE + 5));
        assertEquals(4 * PAGE, machine.newDeviceBuffer(0, 4).capacity());
        assertThrows(IllegalArgumentException.class, () -> machine.newDeviceBuffer(2, 3));
        assertThrows(IllegalArgumentException.class, () -> machine.newDeviceBuffer(4, 1));
        assertThrows(IllegalArgumentException.class, () -> machine.newDeviceBuffer(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> machine.newDeviceBuffer(0, 0));
        assertThrows(IllegalArgumentException.class, () -> machine.newDeviceBuffer(1, Integer.MAX_VALUE));
    }
}
