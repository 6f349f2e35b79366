package io.pvio.frontend.block;

import io.pvio.backend.block.BlkbackXenbus;
import io.pvio.backend.block.MemoryStorage;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rings blkfront drops while the back end still maps their pages (ring, indirect and persistent pages): the grants
 * and pages come back to the guest once the back end lets go, even if the device is gone by then, and waiting for
 * that does not keep a thread waking every millisecond.
 */
class BlkfrontDeferredReleaseTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    /** Writes and reads through inline and indirect requests, so the back end maps persistent and indirect pages. */
    private static long[] exercise(final BlockRig rig, final BlkfrontDevice device) throws Exception
    {
        final long[] pages = rig.allocateGuestPages(20);
        final BlkfrontBlockingDevice blocking = new BlkfrontBlockingDevice(device, TIMEOUT_NS);
        blocking.write(0, BlockBuffer.ofPages(Arrays.copyOf(pages, 4)));
        blocking.write(64, BlockBuffer.ofPages(pages));
        blocking.read(0, BlockBuffer.ofPages(pages));
        assertTrue(rig.hv.dom0Hypercalls().grantTable().mappingsHeld() > 2, "ring and kept grants mapped");
        return pages;
    }

    @Test
    void aDeviceRemovedWhileTheBackEndMapsItsPagesGivesThemBackOnceItLetsGo() throws Exception
    {
        try (BlockRig rig = new BlockRig())
        {
            final int freeRefs = rig.grants.freeRefCount();
            final int guestPages = rig.guest.guestMemory().populatedPages();
            final long[] pages = exercise(rig, rig.attach("1", new MemoryStorage(1024), null));

            // blkfront lets go of the device with the back end still connected, mapping everything
            rig.blkfront.remove(new XenbusDevice(BlkbackXenbus.DEVICE_TYPE, "1", rig.guest.domid(), 0));
            assertTrue(rig.grants.freeRefCount() < freeRefs, "the back end still maps some");
            assertTrue(rig.blkfront.grantsAwaitingRelease() > 0, "deferred, not dropped");
            rig.stopBackend();

            await().atMost(BlockRig.WAIT).until(() ->
                rig.hv.dom0Hypercalls().grantTable().mappingsHeld() == 0 &&
                rig.grants.freeRefCount() == freeRefs &&
                rig.guest.guestMemory().populatedPages() == guestPages + pages.length);
            assertEquals(0, rig.blkfront.grantsAwaitingRelease());
            assertTrue(rig.errors.isEmpty(), rig.errors::toString);
        }
    }

    @Test
    void waitingForABackEndThatNeverUnmapsBacksOff() throws Exception
    {
        try (BlockRig rig = new BlockRig())
        {
            final int freeRefs = rig.grants.freeRefCount();
            final int guestPages = rig.guest.guestMemory().populatedPages();
            final long[] pages = exercise(rig, rig.attach("2", new MemoryStorage(1024), null));

            // blkfront drops the rings while the back end keeps them mapped (and it never lets go while connected)
            rig.blkfront.disconnect(new XenbusDevice(BlkbackXenbus.DEVICE_TYPE, "2", rig.guest.domid(), 0));
            await().atMost(BlockRig.WAIT).until(() -> !rig.blkfront.device("2").isConnected());
            final long parksBefore = rig.frontParks();
            // retrying every millisecond would park ~1500 times in 1.5 s; backing off to 1 s, a dozen or so
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                .until(() -> rig.frontParks() - parksBefore < 60);

            // and it is all given back once the back end lets go
            rig.stopBackend();
            await().atMost(BlockRig.WAIT).until(() ->
                rig.hv.dom0Hypercalls().grantTable().mappingsHeld() == 0 &&
                rig.grants.freeRefCount() == freeRefs &&
                rig.guest.guestMemory().populatedPages() == guestPages + pages.length);
            assertEquals(0, rig.errors.size(), rig.errors::toString);
        }
    }
}
