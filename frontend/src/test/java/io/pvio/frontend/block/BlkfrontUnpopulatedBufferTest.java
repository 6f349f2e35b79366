package io.pvio.frontend.block;

import io.pvio.backend.block.BlkbackFeatures;
import io.pvio.backend.block.BlkbackRing;
import io.pvio.backend.block.MemoryStorage;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.backend.block.BlkbackXenbus;
import io.pvio.ring.blkif.BlkifConstants;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request whose buffer names a gfn with no page behind it fails at once with {@code BLKIF_RSP_ERROR}; nothing of
 * it reaches the back end, and the requests around it are served as if it had never been made.
 */
class BlkfrontUnpopulatedBufferTest
{
    private static int failureStatus(final CompletableFuture<Void> request)
    {
        final ExecutionException failed =
            assertThrows(ExecutionException.class, () -> request.get(5, TimeUnit.SECONDS));
        return assertInstanceOf(BlockIoException.class, failed.getCause()).status();
    }

    @Test
    void aBufferWithAnUnpopulatedPageFailsAloneAndPromptly() throws Exception
    {
        try (BlockRig rig = new BlockRig(BlkbackFeatures.defaults(), 1))
        {
            final MemoryStorage disk = new MemoryStorage(2048);
            final BlkfrontDevice device = rig.attach("1", disk, null);
            final long[] pages = rig.allocateGuestPages(16);
            final long[] freed = rig.allocateGuestPages(1);
            rig.guest.hypercalls().memory().decreaseReservation(DomainId.SELF, freed, 1);
            final Random random = new Random(7);
            final byte[][] contents = new byte[pages.length][4096];
            for (int i = 0; i < pages.length; i++)
            {
                random.nextBytes(contents[i]);
                rig.page(pages[i]).putBytes(0, contents[i]);
            }

            // good writes around bad ones, inline and indirect, the bad page first, second, third or last
            final List<CompletableFuture<Void>> good = new ArrayList<>();
            final List<CompletableFuture<Void>> bad = new ArrayList<>();
            for (int round = 0; round < 4; round++)
            {
                good.add(device.write(64L * round, BlockBuffer.ofPages(Arrays.copyOf(pages, 4))));
                final long[] withHole = Arrays.copyOf(pages, round < 2 ? 3 : 14);
                withHole[round == 3 ? withHole.length - 1 : round] = freed[0];
                bad.add(device.write(1024 + 128L * round, BlockBuffer.ofPages(withHole)));
                bad.add(device.read(64L * round, BlockBuffer.ofPages(withHole)));
                good.add(device.write(512 + 128L * round, BlockBuffer.ofPages(Arrays.copyOfRange(pages, 2, 16))));
            }
            for (final CompletableFuture<Void> request : bad)
            {
                assertEquals(BlkifConstants.BLKIF_RSP_ERROR, failureStatus(request));
            }
            CompletableFuture.allOf(good.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

            // what the disk holds is exactly what the good writes wrote, and nothing else
            final byte[] zeros = new byte[128 * 512];
            for (int round = 0; round < 4; round++)
            {
                for (int page = 0; page < 4; page++)
                {
                    assertArrayEquals(contents[page], disk.snapshot((64L * round + 8L * page) * 512, 4096));
                }
                for (int page = 0; page < 14; page++)
                {
                    assertArrayEquals(contents[2 + page],
                        disk.snapshot((512 + 128L * round + 8L * page) * 512, 4096));
                }
                assertArrayEquals(zeros, disk.snapshot((1024 + 128L * round) * 512, zeros.length));
            }
            // and reads still land where they should
            final BlockBuffer in = BlockBuffer.ofPages(rig.allocateGuestPages(14));
            device.read(512, in).get(20, TimeUnit.SECONDS);
            for (int page = 0; page < 14; page++)
            {
                assertArrayEquals(contents[2 + page], bytes(rig, in.gfn(page)));
            }

            final List<BlkbackRing> queues =
                rig.blkback.rings(new XenbusDevice(BlkbackXenbus.DEVICE_TYPE, "1", rig.guest.domid(), 0));
            for (final BlkbackRing queue : queues)
            {
                assertEquals(0, queue.counters().errorResponses(), queue.counters()::toString);
                assertEquals(8 + 1, queue.counters().requests(), queue.counters()::toString);
            }
            assertTrue(rig.errors.isEmpty(), rig.errors::toString);
        }
    }

    private static byte[] bytes(final BlockRig rig, final long gfn)
    {
        final byte[] bytes = new byte[4096];
        rig.page(gfn).getBytes(0, bytes);
        return bytes;
    }
}
