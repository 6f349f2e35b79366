package io.pvio.hypervisor.evtchn;

import io.pvio.hypervisor.memory.MachineMemory;
import io.pvio.ring.evtchn.SharedInfoFlyweight;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Event delivery does read-modify-writes on the receiving guest's own shared_info page, which that guest writes
 * concurrently. A guest that stores to the word between each of the hypervisor's loads and its compare-and-swap
 * must not keep the sender (dom0's back end, or a thread holding the event channel lock) spinning: the hypervisor
 * gives up after a bounded number of lost races (Xen's XSA-295 lesson), costing only that guest its own event.
 */
class HostileSharedInfoTest
{
    private static final int ROUNDS_THE_GUEST_WINS = 2_000_000;
    private static final int PORT = 5;

    private final RacingGuestPage page = new RacingGuestPage();
    private final SharedInfoFlyweight sharedInfo = new SharedInfoFlyweight().wrap(page, 0);
    private int kicks;
    private final EventChannelTable table = new EventChannelTable(1, 1, 64, sharedInfo, (vcpu) -> kicks++);

    @Test
    void deliveryGivesUpOnAGuestThatWinsEveryRace()
    {
        page.hostileLoadsLeft = ROUNDS_THE_GUEST_WINS;
        table.setPending(PORT, 0);
        assertBoundedLoads("send");

        sharedInfo.testAndSetMask(PORT + 1);
        page.hostileLoadsLeft = ROUNDS_THE_GUEST_WINS;
        table.unmask(PORT + 1, 0);
        assertBoundedLoads("unmask");

        page.hostileLoadsLeft = ROUNDS_THE_GUEST_WINS;
        table.clearPending(PORT);
        assertBoundedLoads("close");
    }

    @Test
    void deliveryWorksAgainOnceTheGuestStopsRacing()
    {
        page.hostileLoadsLeft = ROUNDS_THE_GUEST_WINS;
        table.setPending(PORT, 0);
        page.hostileLoadsLeft = 0;
        sharedInfo.testAndClearPending(PORT);

        table.setPending(PORT, 0);

        assertTrue(sharedInfo.isPending(PORT));
        assertTrue(sharedInfo.upcallPending(0));
        assertEquals(1, kicks);
    }

    private void assertBoundedLoads(final String what)
    {
        assertTrue(page.loads < 10_000, what + " spun " + page.loads + " times against the guest");
        page.loads = 0;
        page.hostileLoadsLeft = 0;
    }

    /** A shared_info page whose guest flips an unrelated bit of the word right after each hypervisor load. */
    private static final class RacingGuestPage extends UnsafeBuffer
    {
        int hostileLoadsLeft;
        long loads;

        RacingGuestPage()
        {
            super(aligned());
        }

        private static ByteBuffer aligned()
        {
            return BufferUtil.allocateDirectAligned(MachineMemory.PAGE_SIZE_BYTES, MachineMemory.PAGE_SIZE_BYTES);
        }

        @Override
        public long getLongVolatile(final int index)
        {
            final long value = super.getLongVolatile(index);
            loads++;
            if (hostileLoadsLeft > 0)
            {
                hostileLoadsLeft--;
                // the guest's own port 63 (or selector bit 63): never a bit the hypervisor is updating here.
                putLongVolatile(index, value ^ (1L << 63));
            }
            return value;
        }

        @Override
        public int getIntVolatile(final int index)
        {
            final int value = super.getIntVolatile(index);
            loads++;
            if (hostileLoadsLeft > 0)
            {
                hostileLoadsLeft--;
                // vcpu_info padding byte 3.
                putIntVolatile(index, value ^ (1 << 31));
            }
            return value;
        }
    }
}
