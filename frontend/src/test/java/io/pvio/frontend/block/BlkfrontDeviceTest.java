package io.pvio.frontend.block;

import io.pvio.backend.block.BlkbackFeatures;
import io.pvio.backend.block.BlkbackXenbus;
import io.pvio.backend.block.MemoryStorage;
import io.pvio.hypervisor.guest.UpcallDispatcher;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.ring.blkif.BlkifConstants;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The block device API: errors surface as statuses, read-only devices, features the back end lacks, reconnect. */
class BlkfrontDeviceTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    @Test
    void blockBufferNamesWholeSectorsOfEveryPage()
    {
        final BlockBuffer buffer = new BlockBuffer(new long[] {10, 11, 12}, 3 * 512, 2 * 4096);
        assertEquals(16, buffer.sectorCount());
        assertEquals(3, buffer.firstSector(0));
        assertEquals(7, buffer.lastSector(0));
        assertEquals(0, buffer.firstSector(1));
        assertEquals(7, buffer.lastSector(1));
        assertEquals(0, buffer.firstSector(2));
        assertEquals(2, buffer.lastSector(2));
        assertThrows(IllegalArgumentException.class, () -> new BlockBuffer(new long[] {1}, 100, 512));
        assertThrows(IllegalArgumentException.class, () -> new BlockBuffer(new long[] {1}, 0, 513));
        assertThrows(IllegalArgumentException.class, () -> new BlockBuffer(new long[] {1, 2}, 0, 4096));
        assertThrows(IllegalArgumentException.class, () -> new BlockBuffer(new long[] {1}, 4096, 512));
    }

    @Test
    void errorsAndReadOnlyDevices() throws IOException
    {
        try (BlockRig rig = new BlockRig())
        {
            final MemoryStorage disk = new MemoryStorage(1024);
            final BlkfrontBlockingDevice rw = new BlkfrontBlockingDevice(rig.attach("1", disk, null), TIMEOUT_NS);
            final BlockBuffer page = BlockBuffer.ofPages(rig.allocateGuestPages(1));
            final BlockIoException pastTheEnd = assertThrows(BlockIoException.class, () -> rw.read(1020, page));
            assertEquals(BlkifConstants.BLKIF_RSP_ERROR, pastTheEnd.status());
            assertThrows(IllegalArgumentException.class,
                () -> rw.write(0, BlockBuffer.ofPages(new long[BlkfrontDevice.MAX_INDIRECT_SEGMENTS + 1])));
            rw.write(0, BlockBuffer.ofPages(rig.allocateGuestPages(12))); // indirect
            rw.write(1016, page); // the last 8 sectors are fine

            final MemoryStorage readOnlyDisk = new MemoryStorage(1024);
            final BlkfrontDevice readOnly = rig.attach("2", readOnlyDisk, "r");
            assertTrue(readOnly.isReadOnly());
            final BlkfrontBlockingDevice ro = new BlkfrontBlockingDevice(readOnly, TIMEOUT_NS);
            rig.fill(page, filled(4096, (byte)0x5A));
            assertEquals(BlkifConstants.BLKIF_RSP_ERROR, assertThrows(BlockIoException.class,
                () -> ro.write(0, page)).status());
            ro.read(0, page);
            assertArrayEquals(new byte[4096], rig.bytesOf(page));
            assertArrayEquals(new byte[4096], readOnlyDisk.snapshot(0, 4096));
        }
    }

    @Test
    void operationsTheBackEndDoesNotOfferCompleteWithEopnotsupp() throws IOException
    {
        try (BlockRig rig = new BlockRig(new BlkbackFeatures(false, false, false, false, 0, 1, 0), 1))
        {
            final BlkfrontBlockingDevice device =
                new BlkfrontBlockingDevice(rig.attach("3", new MemoryStorage(256), null), TIMEOUT_NS);
            assertEquals(BlkifConstants.BLKIF_RSP_EOPNOTSUPP,
                assertThrows(BlockIoException.class, device::flush).status());
            assertEquals(BlkifConstants.BLKIF_RSP_EOPNOTSUPP,
                assertThrows(BlockIoException.class, () -> device.discard(0, 8)).status());
            assertEquals(BlkifConstants.BLKIF_RSP_EOPNOTSUPP, assertThrows(BlockIoException.class,
                () -> device.write(0, BlockBuffer.ofPages(rig.allocateGuestPages(12)))).status(), "no indirect");
            device.read(0, BlockBuffer.ofPages(rig.allocateGuestPages(11)));
        }
    }

    @Test
    void backEndRestartDuringAWriteBurstLosesNothing() throws Exception
    {
        try (BlockRig rig = new BlockRig())
        {
            final MemoryStorage disk = new MemoryStorage(8 * 1024);
            final BlkfrontDevice device = rig.attach("4", disk, null);
            final long[] sources = rig.allocateGuestPages(8);
            final byte[][] contents = new byte[sources.length][4096];
            final Random random = new Random(3);
            for (int i = 0; i < sources.length; i++)
            {
                random.nextBytes(contents[i]);
                rig.page(sources[i]).putBytes(0, contents[i]);
            }
            final List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < 200; i++)
            {
                writes.add(device.write(8L * i, BlockBuffer.ofPages(sources[i % sources.length])));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

            // the back end dies with the burst going on: a ring's worth is pushed to it and never answered
            rig.stopBackend();
            for (int i = 200; i < 1024; i++)
            {
                writes.add(device.write(8L * i, BlockBuffer.ofPages(sources[i % sources.length])));
            }
            await().atMost(BlockRig.WAIT)
                .until(() -> device.inFlightHighWatermark() == device.queueDepth());
            assertEquals(64, device.queueDepth(), "two queues of 32");
            assertTrue(writes.subList(200, writes.size()).stream().noneMatch(CompletableFuture::isDone));
            rig.startBackend();

            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            assertEquals(2, device.connections(), "reconnected once");
            for (int i = 0; i < writes.size(); i++)
            {
                assertFalse(writes.get(i).isCompletedExceptionally());
                assertArrayEquals(contents[i % sources.length], disk.snapshot(8L * 512 * i, 4096), "write " + i);
            }
        }
    }

    @Test
    void manyThreadsSubmitAtOnceThroughTheBlockingLayer() throws Exception
    {
        try (BlockRig rig = new BlockRig())
        {
            final MemoryStorage disk = new MemoryStorage(4 * 1024);
            final BlkfrontBlockingDevice device = new BlkfrontBlockingDevice(rig.attach("7", disk, null), TIMEOUT_NS);
            final int threads = 4;
            final long[][] pages = new long[threads][];
            for (int t = 0; t < threads; t++)
            {
                pages[t] = rig.allocateGuestPages(2);
            }
            final List<CompletableFuture<Void>> workers = new ArrayList<>();
            final ExecutorService executor = Executors.newFixedThreadPool(threads);
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                workers.add(CompletableFuture.runAsync(() ->
                {
                    final Random random = new Random(thread);
                    final BlockBuffer out = BlockBuffer.ofPages(pages[thread][0]);
                    final BlockBuffer in = BlockBuffer.ofPages(pages[thread][1]);
                    final byte[] data = new byte[4096];
                    for (int i = 0; i < 100; i++)
                    {
                        // each thread owns sectors [1024 t, 1024 (t + 1))
                        final long sector = 1024L * thread + 8L * random.nextInt(128);
                        random.nextBytes(data);
                        rig.page(pages[thread][0]).putBytes(0, data);
                        try
                        {
                            device.write(sector, out);
                            device.read(sector, in);
                        }
                        catch (final IOException ex)
                        {
                            throw new UncheckedIOException(ex);
                        }
                        assertArrayEquals(data, rig.bytesOf(in), "thread " + thread + " sector " + sector);
                    }
                }, executor));
            }
            try
            {
                CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            }
            finally
            {
                executor.shutdownNow();
            }
            assertTrue(rig.errors.isEmpty(), rig.errors::toString);
        }
    }

    @Test
    void detachAndRemoveGiveEverythingBackAndLaterRequestsFail() throws Exception
    {
        try (BlockRig rig = new BlockRig())
        {
            final int freeRefs = rig.grants.freeRefCount();
            final int dom0Pages = rig.hv.dom0().guestMemory().populatedPages();
            final int guestPages = rig.guest.guestMemory().populatedPages();
            final BlkfrontDevice device = rig.attach("6", new MemoryStorage(1024), null);
            final long[] pages = rig.allocateGuestPages(20);
            final BlkfrontBlockingDevice blocking = new BlkfrontBlockingDevice(device, TIMEOUT_NS);
            blocking.write(0, BlockBuffer.ofPages(Arrays.copyOf(pages, 4)));    // inline, persistent pool
            blocking.write(64, BlockBuffer.ofPages(pages));                     // indirect
            blocking.read(0, BlockBuffer.ofPages(pages));
            assertTrue(rig.hv.dom0Hypercalls().grantTable().mappingsHeld() > 2, "ring and kept grants mapped");

            final XenbusDevice xenbusDevice = new XenbusDevice(
                BlkbackXenbus.DEVICE_TYPE, "6", rig.guest.domid(), 0);
            final UpcallDispatcher dispatcher = rig.machine.guestHost.dispatcher();
            final List<Integer> ports = eventChannels(rig, xenbusDevice);
            assertFalse(ports.isEmpty());
            ports.forEach(port -> assertTrue(dispatcher.isBound(port), "port " + port + " bound while connected"));
            rig.toolstack.detach(xenbusDevice);
            await().atMost(BlockRig.WAIT).until(() -> rig.toolstack.isClosed(xenbusDevice));
            rig.toolstack.remove(xenbusDevice);
            await().atMost(BlockRig.WAIT).until(() -> rig.blkfront.device("6") == null);

            // nothing outlives the device: dom0's mappings and bounce frames, the guest's grants and ring pages
            await().atMost(BlockRig.WAIT).until(() ->
                rig.hv.dom0Hypercalls().grantTable().mappingsHeld() == 0 &&
                rig.grants.freeRefCount() == freeRefs &&
                rig.guest.guestMemory().populatedPages() == guestPages + pages.length);
            assertEquals(dom0Pages, rig.hv.dom0().guestMemory().populatedPages());
            // the rings' ports are closed and their handlers unbound: a port number reused later reaches no stale one
            ports.forEach(port -> assertFalse(dispatcher.isBound(port), "port " + port + " still bound"));
            assertEquals(BlkifConstants.BLKIF_RSP_ERROR,
                assertThrows(BlockIoException.class, () -> blocking.read(0, BlockBuffer.ofPages(pages[0]))).status(),
                "a removed device fails at once, never hangs");
            assertTrue(rig.errors.isEmpty(), rig.errors::toString);
        }
    }

    /** The event channel of each of the device's rings, as blkfront published them. */
    private static List<Integer> eventChannels(final BlockRig rig, final XenbusDevice device)
    {
        final String dir = device.frontendPath();
        final String queues = rig.observer.xs().readOrNull(0, dir + "/" + BlkfrontXenbus.MULTI_QUEUE_NUM_QUEUES);
        final List<Integer> ports = new ArrayList<>();
        if (queues == null)
        {
            ports.add(Integer.parseInt(rig.observer.xs().read(0, dir + "/event-channel")));
            return ports;
        }
        for (int q = 0; q < Integer.parseInt(queues); q++)
        {
            ports.add(Integer.parseInt(rig.observer.xs().read(0,
                dir + "/" + BlkfrontXenbus.QUEUE_DIR_PREFIX + q + "/event-channel")));
        }
        return ports;
    }

    private static byte[] filled(final int length, final byte value)
    {
        final byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }
}
