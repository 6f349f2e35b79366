package io.pvio.frontend.block;

import io.pvio.backend.block.BlkbackFeatures;
import io.pvio.backend.block.BlkbackRing;
import io.pvio.backend.block.MemoryStorage;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusState;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A guest too short of memory for persistent pages: blkfront must not advertise {@code feature-persistent} (a back
 * end that negotiated it keeps every grant mapped, so per-request grants of the callers' pages would never come
 * back and the ring would stall for ever once its grant refs were all kept).
 */
class BlkfrontShortOfMemoryTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    @Test
    void withoutRoomForPersistentPagesTheConnectionIsNotPersistentAndNeverStalls() throws Exception
    {
        try (BlockRig rig = new BlockRig(BlkbackFeatures.defaults(), 1, 0))
        {
            final long[] pages = rig.allocateGuestPages(2);
            // the guest's reservation used up but for 3 pages: the ring's page fits, 352 persistent pages do not
            final int left = rig.guest.hypercalls().memory().maximumReservation(DomainId.SELF) -
                rig.guest.guestMemory().populatedPages();
            rig.allocateGuestPages(left - 3);

            final MemoryStorage disk = new MemoryStorage(1024);
            final XenbusDevice xenbusDevice = rig.machine.attach("1", disk, null);
            // the shortfall is logged: not a reason to fail the attach
            await().atMost(BlockRig.WAIT).until(() ->
                rig.observer.readState(xenbusDevice.frontendPath()) == XenbusState.CONNECTED &&
                rig.blkfront.device("1") != null && rig.blkfront.device("1").isConnected());
            final String persistentKey =
                xenbusDevice.frontendPath() + "/" + BlkfrontBackendFeatures.FEATURE_PERSISTENT;
            assertTrue(!rig.observer.xs().exists(0, persistentKey) ||
                "0".equals(rig.observer.xs().read(0, persistentKey)),
                "feature-persistent advertised without persistent pages");

            final BlkfrontBlockingDevice device = new BlkfrontBlockingDevice(rig.blkfront.device("1"), TIMEOUT_NS);
            final BlockBuffer out = BlockBuffer.ofPages(pages[0]);
            final BlockBuffer in = BlockBuffer.ofPages(pages[1]);
            final byte[] data = new byte[4096];
            new Random(1).nextBytes(data);
            rig.fill(out, data);
            device.write(8, out);
            // more one-page reads than the ring has grant refs for: every one completes
            for (int i = 0; i < 400; i++)
            {
                device.read(8, in);
            }
            assertArrayEquals(data, rig.bytesOf(in));
            // dom0 maps nothing of the guest's but the ring: no caller's page stays mapped writable
            assertEquals(1, rig.hv.dom0Hypercalls().grantTable().mappingsHeld());
            for (final BlkbackRing queue : rig.blkback.rings(xenbusDevice))
            {
                assertEquals(0, queue.counters().persistentSegments(), queue.counters()::toString);
                assertEquals(0, queue.counters().errorResponses(), queue.counters()::toString);
            }
            assertTrue(rig.errors.stream().allMatch(e -> e instanceof IllegalStateException),
                rig.errors::toString);
        }
    }
}
