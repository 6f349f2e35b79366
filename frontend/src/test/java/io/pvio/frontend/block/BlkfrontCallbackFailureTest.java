package io.pvio.frontend.block;

import io.pvio.backend.block.BlkbackFeatures;
import io.pvio.backend.block.BlkbackXenbus;
import io.pvio.backend.block.BlockStorage;
import io.pvio.backend.block.MemoryStorage;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusState;
import io.pvio.ring.blkif.BlkifConstants;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a completion callback may throw: anything but a {@link VirtualMachineError} is reported and the device goes
 * on; a {@link VirtualMachineError} stops the device, and then no request waits for an agent that is gone.
 */
class BlkfrontCallbackFailureTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    @Test
    void anAssertionErrorFromACallbackIsReportedAndTheDeviceGoesOn() throws Exception
    {
        try (BlockRig rig = new BlockRig())
        {
            final BlkfrontDevice device = rig.attach("1", new MemoryStorage(1024), null);
            final BlockBuffer page = BlockBuffer.ofPages(rig.allocateGuestPages(1));
            final AssertionError failedCheck = new AssertionError("a test's check failed inside its callback");
            device.read(0, page, status ->
            {
                throw failedCheck;
            });
            await().atMost(BlockRig.WAIT).until(() -> rig.errors.contains(failedCheck));

            final BlkfrontBlockingDevice blocking = new BlkfrontBlockingDevice(device, TIMEOUT_NS);
            final byte[] data = new byte[4096];
            Arrays.fill(data, (byte)0x3C);
            rig.fill(page, data);
            blocking.write(8, page);
            rig.fill(page, new byte[4096]);
            blocking.read(8, page);
            assertArrayEquals(data, rig.bytesOf(page), "the device still reads and writes");
            assertFalse(device.engine().isClosed());
            assertEquals(List.of(failedCheck), rig.errors);
        }
    }

    /** Memory whose reads wait until released, so that requests stay in flight on the ring. */
    private static final class HeldReads implements BlockStorage
    {
        final MemoryStorage disk = new MemoryStorage(1024);
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public long sectorCount()
        {
            return disk.sectorCount();
        }

        @Override
        public void read(final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes,
            final int lengthBytes) throws IOException
        {
            entered.countDown();
            try
            {
                release.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            disk.read(offsetBytes, buffer, bufferOffsetBytes, lengthBytes);
        }

        @Override
        public void write(final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes,
            final int lengthBytes) throws IOException
        {
            disk.write(offsetBytes, buffer, bufferOffsetBytes, lengthBytes);
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void discard(final long offsetBytes, final long lengthBytes)
        {
        }

        @Override
        public void close()
        {
            release.countDown();
        }
    }

    @Test
    void aVirtualMachineErrorWhileFailingInFlightRequestsLeavesNoOtherWaiting() throws Exception
    {
        final HeldReads storage = new HeldReads();
        try (BlockRig rig = new BlockRig(BlkbackFeatures.defaults(), 1))
        {
            final BlkfrontDevice device = rig.attach("1", storage, null);
            final StackOverflowError fatal = new StackOverflowError("thrown by the first request's callback");
            device.read(0, BlockBuffer.ofPages(rig.allocateGuestPages(1)), status ->
            {
                throw fatal;
            });
            final CompletableFuture<Integer> second = new CompletableFuture<>();
            device.read(8, BlockBuffer.ofPages(rig.allocateGuestPages(1)), second::complete);
            assertTrue(storage.entered.await(20, TimeUnit.SECONDS), "blkback holds the first read");
            // both requests are on the ring (blkback is inside the first one's read) when the device closes
            await().atMost(BlockRig.WAIT).until(() -> device.engine().inFlightHighWatermark() >= 2);
            device.engine().close();
            try
            {
                assertEquals(BlkifConstants.BLKIF_RSP_ERROR, second.get(20, TimeUnit.SECONDS),
                    "the other request fails too, after the first one's callback threw");
                await().dontCatchUncaughtExceptions().atMost(BlockRig.WAIT).until(() -> rig.errors.contains(fatal));
            }
            finally
            {
                storage.release.countDown();
            }
        }
    }

    @Test
    void ringsOfferedToADeviceThatStoppedAreGivenBack()
    {
        try (BlockRig rig = new BlockRig())
        {
            final int freeRefs = rig.grants.freeRefCount();
            final int guestPages = rig.guest.guestMemory().populatedPages();
            final BlkfrontDevice device = rig.attach("7", new MemoryStorage(1024), null);
            final long[] page = rig.allocateGuestPages(1);
            final StackOverflowError fatal = new StackOverflowError("thrown by the test's callback");
            device.read(0, BlockBuffer.ofPages(page), status ->
            {
                throw fatal;
            });
            await().dontCatchUncaughtExceptions().atMost(BlockRig.WAIT).until(() ->
                rig.errors.contains(fatal) && device.engine().isClosed());

            // the back end restarts: the bus connects the device again, and its rings go to an agent that is gone
            rig.stopBackend();
            rig.startBackend();
            final XenbusDevice xenbusDevice = new XenbusDevice(BlkbackXenbus.DEVICE_TYPE, "7", rig.guest.domid(), 0);
            await().dontCatchUncaughtExceptions().atMost(BlockRig.WAIT).until(() ->
                rig.observer.readState(xenbusDevice.backendPath()) == XenbusState.CONNECTED);
            rig.toolstack.detach(xenbusDevice);
            await().dontCatchUncaughtExceptions().atMost(BlockRig.WAIT)
                .until(() -> rig.toolstack.isClosed(xenbusDevice));
            rig.toolstack.remove(xenbusDevice);

            // nothing outlives the device: the rings and persistent pages of both connections come back
            await().dontCatchUncaughtExceptions().atMost(BlockRig.WAIT).until(() ->
                rig.hv.dom0Hypercalls().grantTable().mappingsHeld() == 0 &&
                rig.grants.freeRefCount() == freeRefs &&
                rig.guest.guestMemory().populatedPages() == guestPages + page.length);
        }
    }

    @Test
    void aVirtualMachineErrorFromACallbackStopsTheDeviceAndNoRequestWaits() throws Exception
    {
        try (BlockRig rig = new BlockRig())
        {
            final BlkfrontDevice device = rig.attach("1", new MemoryStorage(1024), null);
            final BlockBuffer page = BlockBuffer.ofPages(rig.allocateGuestPages(1));
            final BlockBuffer other = BlockBuffer.ofPages(rig.allocateGuestPages(1));
            final StackOverflowError fatal = new StackOverflowError("thrown by the test's callback");
            final CompletableFuture<Integer> submittedByTheCallback = new CompletableFuture<>();
            device.read(0, page, status ->
            {
                // queued on the agent, which the error below stops before it issues this
                device.read(8, other, submittedByTheCallback::complete);
                throw fatal;
            });

            assertEquals(BlkifConstants.BLKIF_RSP_ERROR, submittedByTheCallback.get(20, TimeUnit.SECONDS),
                "a request queued when the agent stopped fails");
            // the agent's runner reports the error as its thread ends (which may be after the test gets here: the
            // error thrown on that thread is the point, not a failure of this wait)
            await().dontCatchUncaughtExceptions().atMost(BlockRig.WAIT).until(() -> rig.errors.contains(fatal));
            assertTrue(device.engine().isClosed());
            final BlkfrontBlockingDevice blocking = new BlkfrontBlockingDevice(device, TIMEOUT_NS);
            // failed with the device's error status, not the blocking layer's timeout (an IOException of another kind)
            assertEquals(BlkifConstants.BLKIF_RSP_ERROR,
                assertThrows(BlockIoException.class, () -> blocking.read(0, page)).status(),
                "a later request fails at once");
        }
    }
}
