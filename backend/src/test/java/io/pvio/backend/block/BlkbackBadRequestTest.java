package io.pvio.backend.block;

import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusState;
import io.pvio.ring.RingOverflowException;
import io.pvio.ring.SringDescriptor;
import io.pvio.ring.blkif.BlkifConstants;
import io.pvio.ring.blkif.BlkifDiscardRequestFlyweight;
import io.pvio.ring.blkif.BlkifIndirectPageFlyweight;
import io.pvio.ring.blkif.BlkifIndirectRequestFlyweight;
import io.pvio.ring.blkif.BlkifRequestFlyweight;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_DISCARD;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_FLUSH_DISKCACHE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_INDIRECT;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_READ;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_WRITE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_EOPNOTSUPP;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_ERROR;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * blkback against a hostile front end that writes the ring directly, over the real hypervisor, XenStore and xenbus:
 * every invalid field gets an error response echoing the id, and neither the disk nor any guest page outside what
 * the request validly names is touched. A bogus producer index halts that ring only.
 */
class BlkbackBadRequestTest
{
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final long DISK_SECTORS = 2048;
    private static final int DISK_BYTES = (int)DISK_SECTORS * 512;

    private BlockTestRig rig;
    private HostileBlkfront front;
    private final BlkifRequestFlyweight request = new BlkifRequestFlyweight();
    private long dataGfn;
    private int dataRef;
    private int readOnlyRef;
    private long readOnlyGfn;
    private long canaryGfn;
    private final Random random = new Random(42);

    @BeforeEach
    void setUp()
    {
        rig = new BlockTestRig();
        front = new HostileBlkfront(rig.guest, rig.grants);
        rig.startFrontend(front);
        dataGfn = rig.allocateGuestPage();
        readOnlyGfn = rig.allocateGuestPage();
        canaryGfn = rig.allocateGuestPage();
        fillRandom(rig.guest.guestMemory().frame(readOnlyGfn));
        fillRandom(rig.guest.guestMemory().frame(canaryGfn));
        synchronized (rig.grants)
        {
            dataRef = rig.grants.grantAccess(0, dataGfn, false);
            readOnlyRef = rig.grants.grantAccess(0, readOnlyGfn, true);
        }
    }

    @AfterEach
    void tearDown()
    {
        rig.close();
    }

    private MemoryStorage randomDisk()
    {
        final MemoryStorage disk = new MemoryStorage(DISK_SECTORS);
        final byte[] bytes = new byte[DISK_BYTES];
        random.nextBytes(bytes);
        disk.write(0, ByteBuffer.wrap(bytes), 0, bytes.length);
        return disk;
    }

    private void fillRandom(final AtomicBuffer page)
    {
        final byte[] bytes = new byte[4096];
        random.nextBytes(bytes);
        page.putBytes(0, bytes);
    }

    private static byte[] bytesOf(final AtomicBuffer page)
    {
        final byte[] bytes = new byte[4096];
        page.getBytes(0, bytes);
        return bytes;
    }

    private HostileBlkfront.Connection connect(final XenbusDevice device)
    {
        await().atMost(WAIT).failFast(() -> !rig.frontendErrors.isEmpty()).until(() ->
            rig.observer.readState(device.backendPath()) == XenbusState.CONNECTED &&
            front.connections.containsKey(device.id()) && front.connections.get(device.id()).connected);
        return front.connections.get(device.id());
    }

    /** Claims a slot, lets {@code writer} fill it, pushes, and returns the response: id, operation, status. */
    private long[] roundTrip(final HostileBlkfront.Connection c, final BiConsumer<AtomicBuffer, Integer> writer)
    {
        final int slot = c.front.claimRequest();
        c.buffer().setMemory(slot, 112, (byte)0);
        writer.accept(c.buffer(), slot);
        c.push(rig.guest);
        await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
            .until(() -> c.front.pollResponses() > 0);
        final int offset = c.front.takeResponse();
        // CVE-2017-10911: bytes 9 and 12..15 are padding and must be zero, whatever the slot held before
        assertEquals(0, c.buffer().getByte(offset + 9), "response padding byte 9");
        assertEquals(0, c.buffer().getInt(offset + 12), "response padding bytes 12..15");
        return HostileBlkfront.response(c.buffer(), offset);
    }

    private BiConsumer<AtomicBuffer, Integer> readWrite(
        final int operation, final int nrSegments, final long sector, final long id, final int... segments)
    {
        return (buffer, slot) ->
        {
            request.wrap(buffer, slot).header(operation, nrSegments, 0).id(id).sectorNumber(sector);
            for (int i = 0; i < segments.length / 3; i++)
            {
                request.segment(i, segments[3 * i], segments[3 * i + 1], segments[3 * i + 2]);
            }
        };
    }

    private static BiConsumer<AtomicBuffer, Integer> discard(
        final int flag, final long sector, final long nrSectors, final long id)
    {
        return (buffer, slot) -> new BlkifDiscardRequestFlyweight().wrap(buffer, slot).operation(BLKIF_OP_DISCARD)
            .flag(flag).id(id).sectorNumber(sector).nrSectors(nrSectors);
    }

    private static BiConsumer<AtomicBuffer, Integer> indirect(
        final int indirectOperation, final int nrSegments, final long sector, final long id, final int indirectRef)
    {
        return (buffer, slot) -> new BlkifIndirectRequestFlyweight().wrap(buffer, slot).operation(BLKIF_OP_INDIRECT)
            .indirectOperation(indirectOperation).nrSegments(nrSegments).id(id).sectorNumber(sector)
            .indirectGref(0, indirectRef);
    }

    private record Case(String name, int expectedStatus, long id, BiConsumer<AtomicBuffer, Integer> writer)
    {
    }

    @Test
    void wellFormedRequestsAreServed()
    {
        final MemoryStorage disk = randomDisk();
        final XenbusDevice device = rig.attach("1", disk, null);
        final HostileBlkfront.Connection c = connect(device);
        fillRandom(rig.guest.guestMemory().frame(dataGfn));
        final byte[] page = bytesOf(rig.guest.guestMemory().frame(dataGfn));

        // write sectors 2..5 of the page to disk sectors 100..103
        assertArrayEquals(new long[] {7, BLKIF_OP_WRITE, BLKIF_RSP_OKAY},
            roundTrip(c, readWrite(BLKIF_OP_WRITE, 1, 100, 7, dataRef, 2, 5)));
        assertArrayEquals(java.util.Arrays.copyOfRange(page, 1024, 3072), disk.snapshot(100 * 512, 2048));

        // read disk sectors 0..7 back into the whole page
        assertArrayEquals(new long[] {8, BLKIF_OP_READ, BLKIF_RSP_OKAY},
            roundTrip(c, readWrite(BLKIF_OP_READ, 1, 0, 8, dataRef, 0, 7)));
        assertArrayEquals(disk.snapshot(0, 4096), bytesOf(rig.guest.guestMemory().frame(dataGfn)));

        // an indirect write of 12 segments, each the whole data page, to sectors 200..295
        final long indirectGfn = rig.allocateGuestPage();
        final int indirectRef;
        synchronized (rig.grants)
        {
            indirectRef = rig.grants.grantAccess(0, indirectGfn, true);
        }
        final BlkifIndirectPageFlyweight segments =
            new BlkifIndirectPageFlyweight().wrap(rig.guest.guestMemory().frame(indirectGfn), 0);
        for (int i = 0; i < 12; i++)
        {
            segments.segment(i, dataRef, 0, 7);
        }
        assertArrayEquals(new long[] {11, BLKIF_OP_INDIRECT, BLKIF_RSP_OKAY},
            roundTrip(c, indirect(BLKIF_OP_WRITE, 12, 200, 11, indirectRef)));
        final byte[] nowInPage = bytesOf(rig.guest.guestMemory().frame(dataGfn));
        for (int i = 0; i < 12; i++)
        {
            assertArrayEquals(nowInPage, disk.snapshot((200 + 8L * i) * 512, 4096), "indirect segment " + i);
        }

        assertArrayEquals(new long[] {9, BLKIF_OP_FLUSH_DISKCACHE, BLKIF_RSP_OKAY},
            roundTrip(c, readWrite(BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 9)));
        assertArrayEquals(new long[] {10, BLKIF_OP_DISCARD, BLKIF_RSP_OKAY}, roundTrip(c, discard(0, 8, 8, 10)));
        assertArrayEquals(new byte[4096], disk.snapshot(8 * 512, 4096));
        assertTrue(rig.backendErrors.isEmpty(), rig.backendErrors::toString);
    }

    @Test
    void eachInvalidFieldGetsAnErrorResponseAndNothingOutsideTheDeviceIsTouched()
    {
        final MemoryStorage disk = randomDisk();
        final XenbusDevice device = rig.attach("2", disk, null);
        final HostileBlkfront.Connection c = connect(device);
        final byte[] diskBefore = disk.snapshot(0, DISK_BYTES);
        final byte[] readOnlyBefore = bytesOf(rig.guest.guestMemory().frame(readOnlyGfn));
        final byte[] canaryBefore = bytesOf(rig.guest.guestMemory().frame(canaryGfn));
        // high id bytes overlap the response's padding: the back end must zero them
        final long id = 0xFFFF_FFFF_FF00_0000L;
        final int neverGranted = 400;

        final List<Case> cases = List.of(
            new Case("unknown operation 9", BLKIF_RSP_EOPNOTSUPP, id + 1, readWrite(9, 1, 0, id + 1, dataRef, 0, 7)),
            new Case("reserved operation 4", BLKIF_RSP_EOPNOTSUPP, id + 2,
                readWrite(BlkifConstants.BLKIF_OP_RESERVED_1, 1, 0, id + 2, dataRef, 0, 7)),
            new Case("indirect_op FLUSH", BLKIF_RSP_ERROR, id + 3,
                indirect(BLKIF_OP_FLUSH_DISKCACHE, 12, 0, id + 3, readOnlyRef)),
            new Case("indirect nr_segments above the maximum", BLKIF_RSP_ERROR, id + 22,
                indirect(BLKIF_OP_WRITE, BlkbackFeatures.DEFAULT_MAX_INDIRECT_SEGMENTS + 1, 0, id + 22, readOnlyRef)),
            new Case("indirect nr_segments 0", BLKIF_RSP_ERROR, id + 23, indirect(BLKIF_OP_WRITE, 0, 0, id + 23,
                readOnlyRef)),
            new Case("indirect page never granted", BLKIF_RSP_ERROR, id + 24,
                indirect(BLKIF_OP_WRITE, 12, 0, id + 24, neverGranted)),
            new Case("indirect page of random segments", BLKIF_RSP_ERROR, id + 25,
                indirect(BLKIF_OP_WRITE, 64, 0, id + 25, readOnlyRef)),
            new Case("write nr_segments 0", BLKIF_RSP_ERROR, id + 4, readWrite(BLKIF_OP_WRITE, 0, 0, id + 4)),
            new Case("write nr_segments 12", BLKIF_RSP_ERROR, id + 5, readWrite(BLKIF_OP_WRITE, 12, 0, id + 5,
                dataRef, 0, 0, dataRef, 1, 1, dataRef, 2, 2, dataRef, 3, 3, dataRef, 4, 4, dataRef, 5, 5,
                dataRef, 6, 6, dataRef, 7, 7, dataRef, 0, 0, dataRef, 1, 1, dataRef, 2, 2)),
            new Case("read nr_segments 255", BLKIF_RSP_ERROR, id + 6,
                readWrite(BLKIF_OP_READ, 255, 0, id + 6, dataRef, 0, 7)),
            new Case("first_sect > last_sect", BLKIF_RSP_ERROR, id + 7,
                readWrite(BLKIF_OP_WRITE, 1, 0, id + 7, dataRef, 3, 2)),
            new Case("last_sect 8, past the page", BLKIF_RSP_ERROR, id + 8,
                readWrite(BLKIF_OP_WRITE, 1, 0, id + 8, dataRef, 0, 8)),
            new Case("sector at the end of the disk", BLKIF_RSP_ERROR, id + 9,
                readWrite(BLKIF_OP_WRITE, 1, DISK_SECTORS, id + 9, dataRef, 0, 0)),
            new Case("range runs past the end", BLKIF_RSP_ERROR, id + 10,
                readWrite(BLKIF_OP_WRITE, 1, DISK_SECTORS - 1, id + 10, dataRef, 0, 1)),
            new Case("sector u64 wraps", BLKIF_RSP_ERROR, id + 11,
                readWrite(BLKIF_OP_WRITE, 1, -1L, id + 11, dataRef, 0, 1)),
            new Case("gref never granted", BLKIF_RSP_ERROR, id + 12,
                readWrite(BLKIF_OP_WRITE, 1, 0, id + 12, neverGranted, 0, 7)),
            new Case("gref beyond the table", BLKIF_RSP_ERROR, id + 13,
                readWrite(BLKIF_OP_WRITE, 1, 0, id + 13, 0xFFFF_FFFF, 0, 7)),
            new Case("reserved gref 0", BLKIF_RSP_ERROR, id + 14, readWrite(BLKIF_OP_WRITE, 1, 0, id + 14, 0, 0, 7)),
            new Case("one bad gref among good ones", BLKIF_RSP_ERROR, id + 15, readWrite(BLKIF_OP_WRITE, 3, 16,
                id + 15, dataRef, 0, 7, neverGranted, 0, 7, dataRef, 0, 7)),
            new Case("read into a read-only grant", BLKIF_RSP_ERROR, id + 16,
                readWrite(BLKIF_OP_READ, 1, 0, id + 16, readOnlyRef, 0, 7)),
            new Case("read with one good and one bad gref", BLKIF_RSP_ERROR, id + 17,
                readWrite(BLKIF_OP_READ, 2, 0, id + 17, dataRef, 0, 7, neverGranted, 0, 7)),
            new Case("flush with a bad segment", BLKIF_RSP_ERROR, id + 18,
                readWrite(BLKIF_OP_FLUSH_DISKCACHE, 1, 0, id + 18, dataRef, 5, 4)),
            new Case("discard past the end", BLKIF_RSP_ERROR, id + 19, discard(0, DISK_SECTORS - 4, 8, id + 19)),
            new Case("discard with a bad flag", BLKIF_RSP_ERROR, id + 20, discard(2, 0, 8, id + 20)),
            new Case("discard u64 wraps", BLKIF_RSP_ERROR, id + 21, discard(0, 8, -1L, id + 21)));

        for (final Case bad : cases)
        {
            final long[] response = roundTrip(c, bad.writer());
            assertEquals(bad.id(), response[0], bad.name() + ": id echoed");
            assertEquals(bad.expectedStatus(), (int)response[2], bad.name() + ": status");
        }
        assertArrayEquals(diskBefore, disk.snapshot(0, DISK_BYTES), "the disk is untouched");
        assertArrayEquals(readOnlyBefore, bytesOf(rig.guest.guestMemory().frame(readOnlyGfn)));
        assertArrayEquals(canaryBefore, bytesOf(rig.guest.guestMemory().frame(canaryGfn)));

        final BlkbackRing ring = rig.blkback.ring(device);
        assertEquals(cases.size(), ring.counters().requests());
        final long unsupported = cases.stream().filter(k -> k.expectedStatus() == BLKIF_RSP_EOPNOTSUPP).count();
        assertEquals(unsupported, ring.counters().unsupportedResponses());
        assertEquals(cases.size() - unsupported, ring.counters().errorResponses());
        assertSame(BlkbackRing.State.RUNNING, ring.state());
        // logged once per ring, then only counted
        assertEquals(1, rig.backendErrors.stream().filter(e -> e instanceof BlkbackRequestException).count());

        // the ring still serves well-formed requests
        assertArrayEquals(new long[] {99, BLKIF_OP_READ, BLKIF_RSP_OKAY},
            roundTrip(c, readWrite(BLKIF_OP_READ, 1, 0, 99, dataRef, 0, 7)));
    }

    @Test
    void indirectRequestsAreUnsupportedWhenNotOffered()
    {
        rig.close();
        rig = new BlockTestRig(new BlkbackFeatures(true, true, true, false, 0, 1, 0));
        front = new HostileBlkfront(rig.guest, rig.grants);
        rig.startFrontend(front);
        dataGfn = rig.allocateGuestPage();
        synchronized (rig.grants)
        {
            dataRef = rig.grants.grantAccess(0, dataGfn, false);
        }
        final XenbusDevice device = rig.attach("6", randomDisk(), null);
        final HostileBlkfront.Connection c = connect(device);
        assertEquals(null, rig.observer.xs().readOrNull(0, device.backendPath() + "/feature-max-indirect-segments"));
        assertArrayEquals(new long[] {5, BLKIF_OP_INDIRECT, BLKIF_RSP_EOPNOTSUPP},
            roundTrip(c, indirect(BLKIF_OP_READ, 12, 0, 5, dataRef)));
    }

    @Test
    void outOfRangeNegotiationKeysCloseTheDeviceWithAnError()
    {
        final String[][] lies = {
            {BlkbackFrontendDetails.MULTI_QUEUE_NUM_QUEUES, "0"},
            {BlkbackFrontendDetails.MULTI_QUEUE_NUM_QUEUES, Integer.toString(BlkbackFeatures.DEFAULT_MAX_QUEUES + 1)},
            {BlkbackFrontendDetails.PROTOCOL, "arm-abi"},
            {BlkbackFrontendDetails.FEATURE_PERSISTENT, "2"},
            {"ring-page-order", Integer.toString(BlkbackFeatures.DEFAULT_MAX_RING_PAGE_ORDER + 1)},
        };
        for (int i = 0; i < lies.length; i++)
        {
            // the devices refused before keep retrying (the back end goes back to InitWait once the front end
            // closed, and the front end initialises again): they must never find the front end without a lie, or
            // one would connect and keep its ring mapped. So the new lie goes in before the old one comes out.
            front.extraKeys.put(lies[i][0], lies[i][1]);
            if (i > 0 && !lies[i - 1][0].equals(lies[i][0]))
            {
                front.extraKeys.remove(lies[i - 1][0]);
            }
            final XenbusDevice device = rig.attach("1" + i, randomDisk(), null);
            await().atMost(WAIT).until(() -> rig.observer.readState(device.backendPath()) == XenbusState.CLOSING);
            final String error = rig.observer.xs().read(0, device.backendPath() + "/error");
            assertTrue(error.contains(lies[i][0]), lies[i][0] + "=" + lies[i][1] + ": " + error);
            assertTrue(rig.blkback.rings(device).isEmpty(), "nothing kept for " + lies[i][0]);
        }
        assertEquals(0, rig.hv.dom0Hypercalls().grantTable().mappingsHeld(), "no mapping left behind");
    }

    @Test
    void failingStorageIsAnsweredWithAnErrorAndTheRingGoesOn()
    {
        final MemoryStorage disk = randomDisk();
        final BlockStorage failing = new BlockStorage()
        {
            public long sectorCount()
            {
                return disk.sectorCount();
            }

            public void read(
                final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes, final int lengthBytes)
                throws IOException
            {
                throw new IOException("medium error");
            }

            public void write(
                final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes, final int lengthBytes)
            {
                throw new NonWritableChannelException();
            }

            public void flush()
            {
                disk.flush();
            }

            public void discard(final long offsetBytes, final long lengthBytes)
            {
                disk.discard(offsetBytes, lengthBytes);
            }

            public void close()
            {
            }
        };
        final HostileBlkfront.Connection c = connect(rig.attach("7", failing, null));
        assertEquals(BLKIF_RSP_ERROR, roundTrip(c, readWrite(BLKIF_OP_READ, 1, 0, 1, dataRef, 0, 7))[2]);
        assertEquals(BLKIF_RSP_ERROR, roundTrip(c, readWrite(BLKIF_OP_WRITE, 1, 0, 2, dataRef, 0, 7))[2]);
        assertEquals(BLKIF_RSP_OKAY, roundTrip(c, readWrite(BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 3))[2]);
        assertEquals(1, rig.backendErrors.stream().filter(e -> e instanceof IOException).count(),
            "logged once");
    }

    @Test
    void readOnlyImageIsServedReadOnlyWhateverTheMode(@TempDir final Path dir)
        throws IOException
    {
        final Path image = dir.resolve("ro.img");
        FileImageStorage.create(image, DISK_BYTES).close();
        try (FileImageStorage readOnly = FileImageStorage.open(image, true))
        {
            final XenbusDevice device = rig.attach("8", readOnly, "w");
            final HostileBlkfront.Connection c = connect(device);
            assertEquals(Integer.toString(BlkifConstants.VDISK_READONLY),
                rig.observer.xs().read(0, device.backendPath() + "/info"));
            assertEquals(BLKIF_RSP_ERROR, roundTrip(c, readWrite(BLKIF_OP_WRITE, 1, 0, 1, dataRef, 0, 7))[2]);
            assertEquals(BLKIF_RSP_OKAY, roundTrip(c, readWrite(BLKIF_OP_READ, 1, 0, 2, dataRef, 0, 7))[2]);
        }
    }

    @Test
    void readOnlyModeAnswersWritesAndDiscardsWithAnError()
    {
        final MemoryStorage disk = randomDisk();
        final XenbusDevice device = rig.attach("3", disk, "r");
        final HostileBlkfront.Connection c = connect(device);
        final byte[] diskBefore = disk.snapshot(0, DISK_BYTES);
        assertEquals(Integer.toString(BlkifConstants.VDISK_READONLY),
            rig.observer.xs().read(0, device.backendPath() + "/info"));

        assertEquals(BLKIF_RSP_ERROR, roundTrip(c, readWrite(BLKIF_OP_WRITE, 1, 0, 1, dataRef, 0, 7))[2]);
        assertEquals(BLKIF_RSP_ERROR, roundTrip(c, readWrite(BLKIF_OP_FLUSH_DISKCACHE, 1, 0, 2, dataRef, 0, 7))[2]);
        assertEquals(BLKIF_RSP_ERROR, roundTrip(c, discard(0, 0, 8, 3))[2]);
        assertEquals(BLKIF_RSP_OKAY, roundTrip(c, readWrite(BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 4))[2]);
        assertEquals(BLKIF_RSP_OKAY, roundTrip(c, readWrite(BLKIF_OP_READ, 1, 24, 5, dataRef, 0, 7))[2]);
        assertArrayEquals(disk.snapshot(24 * 512, 4096), bytesOf(rig.guest.guestMemory().frame(dataGfn)));
        assertArrayEquals(diskBefore, disk.snapshot(0, DISK_BYTES));
    }

    @Test
    void bogusProducerIndexHaltsThatRingOnly()
    {
        final MemoryStorage diskA = randomDisk();
        final MemoryStorage diskB = randomDisk();
        final XenbusDevice a = rig.attach("4", diskA, null);
        final XenbusDevice b = rig.attach("5", diskB, null);
        final HostileBlkfront.Connection ca = connect(a);
        final HostileBlkfront.Connection cb = connect(b);
        final byte[] diskABefore = diskA.snapshot(0, DISK_BYTES);

        // claims 1000 requests on a ring of 32
        ca.buffer().putIntVolatile(SringDescriptor.REQ_PROD_OFFSET, 1000);
        rig.guest.hypercalls().eventChannel().send(ca.resources.port());
        await().atMost(WAIT).until(() -> rig.blkback.ring(a).state() == BlkbackRing.State.HALTED);
        assertTrue(rig.backendErrors.stream().anyMatch(e -> e instanceof RingOverflowException));
        assertEquals(0, rig.blkback.ring(a).counters().requests());
        assertArrayEquals(diskABefore, diskA.snapshot(0, DISK_BYTES));

        // the other device, same back end, same guest: unaffected
        fillRandom(rig.guest.guestMemory().frame(dataGfn));
        assertEquals(BLKIF_RSP_OKAY, roundTrip(cb, readWrite(BLKIF_OP_WRITE, 1, 40, 1, dataRef, 0, 7))[2]);
        assertArrayEquals(bytesOf(rig.guest.guestMemory().frame(dataGfn)), diskB.snapshot(40 * 512, 4096));
        assertSame(BlkbackRing.State.RUNNING, rig.blkback.ring(b).state());
        assertNotEquals(XenbusState.CLOSED, rig.observer.readState(b.backendPath()));
        assertFalse(rig.backendErrors.stream().anyMatch(e -> e.getMessage().contains("-5")));
    }
}
