package io.pvio.frontend.block;

import io.pvio.backend.block.BlkbackFeatures;
import io.pvio.backend.block.MemoryStorage;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rings blkfront's agent cannot take over (building the second queue's ring throws) are given back whole: what the
 * failing ring claimed, the first queue's ring built already, the ring pages and ports of both; and the device's
 * requests wait for the next connection instead of failing or hanging.
 */
class BlkfrontAttachFailureTest
{
    /** Two one-page rings of 32 ids each, so 2 ring pages; no persistent grants. */
    private static final int RING_PAGES = 2;
    private static final int IDS_PER_RING = 32;

    @Test
    void aRingShortOfPagesForItsIndirectPagesThrowsAndEverythingComesBack() throws Exception
    {
        // 64 indirect segments: one indirect page per request id
        try (BlockRig rig = new BlockRig(new BlkbackFeatures(true, true, true, false, 64, 2, 0), 2))
        {
            final long[] page = rig.allocateGuestPages(1);
            // room for both ring pages and the first ring's indirect pages, not the second's
            final int left = rig.guest.hypercalls().memory().maximumReservation(DomainId.SELF) -
                rig.guest.guestMemory().populatedPages();
            rig.allocateGuestPages(left - (RING_PAGES + IDS_PER_RING + 8));
            // told that the second ring goes without indirect pages (the claim gave its pages back), the error
            // handler throws: so does building that ring, and the first ring's 32 indirect pages must come back
            failFirstConnection(rig, page, "pages granted for the ring's life");
        }
    }

    @Test
    void aRingShortOfGrantReferencesThrowsAfterReservingItsPoolAndEverythingComesBack() throws Exception
    {
        // no indirect segments: each ring's pool should hold at least 11 refs (one 11-page request)
        try (BlockRig rig = new BlockRig(new BlkbackFeatures(true, true, true, false, 0, 2, 0), 2))
        {
            final long[] page = rig.allocateGuestPages(1);
            synchronized (rig.grants)
            {
                // left free: the 2 ring pages' refs, 11 for the first ring's pool, 1 for the second's: that ring
                // reserves its one ref, then reports the shortfall, and the handler throws
                rig.grants.reservePool(rig.grants.freeRefCount() - (RING_PAGES + 11 + 1));
            }
            failFirstConnection(rig, page, "grant references free");
        }
    }

    /**
     * Attaches a device whose first connection fails as the error handler throws on the error mentioning
     * {@code trigger}; checks that only the ring pages the back end maps are still held, that a write waits, that the
     * back end's restart brings a connection that serves it, and that removing the device gives back everything.
     */
    private static void failFirstConnection(final BlockRig rig, final long[] page, final String trigger)
        throws Exception
    {
        final int freeRefs = rig.grants.freeRefCount();
        final int guestPages = rig.guest.guestMemory().populatedPages();
        rig.throwOnFrontError.set(error -> mentions(error, trigger));

        final XenbusDevice xenbusDevice = rig.machine.attach("1", new MemoryStorage(1024), null);
        // the agent reports the failure, whatever was thrown, and the device goes on without rings
        await().atMost(BlockRig.WAIT).until(() -> rig.errors.stream().anyMatch(error ->
            mentions(error, "could not take over the rings of connection 1") ||
                mentions(error, "the test's error handler throws")));
        final BlkfrontDevice device = rig.blkfront.device("1");
        assertFalse(device.isConnected());
        assertEquals(0, device.engine().connections());
        // the failing ring's claims and the first ring's are back already; the ring pages the back end maps are
        // left granted for the deferred release, which ends them once it lets go
        assertEquals(guestPages + RING_PAGES, rig.guest.guestMemory().populatedPages(), rig.errors::toString);
        assertEquals(freeRefs - RING_PAGES, rig.grants.freeRefCount(), rig.errors::toString);
        assertTrue(rig.errors.stream().anyMatch(error ->
            mentions(error, "could not take over the rings of connection 1") &&
                mentions(error.getCause(), "the test's error handler throws")), rig.errors::toString);

        // queued, not failed: the device has no rings
        final byte[] data = new byte[4096];
        Arrays.fill(data, (byte)0x5A);
        final BlockBuffer buffer = BlockBuffer.ofPages(page);
        rig.fill(buffer, data);
        final CompletableFuture<Integer> write = new CompletableFuture<>();
        device.write(16, buffer, write::complete);

        // the back end restarts: the next connection takes over (the handler no longer throws) and serves it
        rig.stopBackend();
        rig.startBackend();
        assertEquals(0, write.get(20, TimeUnit.SECONDS), "the queued write completes OKAY on the next rings");
        await().atMost(BlockRig.WAIT).until(device::isConnected);
        assertEquals(1, device.engine().connections());
        rig.fill(buffer, new byte[4096]);
        new BlkfrontBlockingDevice(device, TimeUnit.SECONDS.toNanos(20)).read(16, buffer);
        assertArrayEquals(data, rig.bytesOf(buffer));

        // nothing outlives the device: both connections' rings, pools and indirect pages come back
        rig.toolstack.detach(xenbusDevice);
        await().atMost(BlockRig.WAIT).until(() -> rig.toolstack.isClosed(xenbusDevice));
        rig.toolstack.remove(xenbusDevice);
        await().atMost(BlockRig.WAIT).until(() ->
            rig.hv.dom0Hypercalls().grantTable().mappingsHeld() == 0 &&
            rig.grants.freeRefCount() == freeRefs &&
            rig.guest.guestMemory().populatedPages() == guestPages);
    }

    private static boolean mentions(final Throwable error, final String text)
    {
        return error != null && String.valueOf(error.getMessage()).contains(text);
    }
}
