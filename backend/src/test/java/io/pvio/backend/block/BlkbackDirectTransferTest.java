package io.pvio.backend.block;

import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusState;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.function.BiConsumer;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_INDIRECT;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_READ;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_WRITE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_ERROR;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With {@code feature-persistent}, blkback's storage call reads and writes the front end's kept pages in place (one
 * copy per byte, through a device buffer over the mappings) when a request's pages are one machine-contiguous byte
 * range, and goes through its staging buffer otherwise; the bytes on disk and in the guest's pages are the same
 * either way. Driven by a hand-made front end over a real image file.
 */
class BlkbackDirectTransferTest
{
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final long DISK_SECTORS = 16384;
    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    private BlockTestRig rig;
    private HostileBlkfront.Connection connection;
    private BlkbackRing ring;
    private FileImageStorage image;
    private RecordingStorage disk;
    private final BlkifRequestFlyweight request = new BlkifRequestFlyweight();
    private final Random random = new Random(4096);

    /** The image, with the window of the last read or write noted (the agent's thread writes, the test reads). */
    private static final class RecordingStorage extends ForwardingBlockStorage
    {
        volatile int lastBufferOffsetBytes = -1;
        volatile int lastLengthBytes = -1;
        volatile boolean lastBufferDirect;

        RecordingStorage(final BlockStorage storage)
        {
            super(storage);
        }

        @Override
        public void read(
            final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes, final int lengthBytes)
            throws IOException
        {
            note(buffer, bufferOffsetBytes, lengthBytes);
            storage().read(offsetBytes, buffer, bufferOffsetBytes, lengthBytes);
        }

        @Override
        public void write(
            final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes, final int lengthBytes)
            throws IOException
        {
            note(buffer, bufferOffsetBytes, lengthBytes);
            storage().write(offsetBytes, buffer, bufferOffsetBytes, lengthBytes);
        }

        private void note(final ByteBuffer buffer, final int bufferOffsetBytes, final int lengthBytes)
        {
            lastBufferDirect = buffer.isDirect();
            lastLengthBytes = lengthBytes;
            lastBufferOffsetBytes = bufferOffsetBytes;
        }

        @Override
        public void close()
        {
            // the test closes the image
        }
    }

    @BeforeEach
    void setUp() throws IOException
    {
        rig = new BlockTestRig(new BlkbackFeatures(true, true, true, true, 64, 1, 0));
        final HostileBlkfront front = new HostileBlkfront(rig.guest, rig.grants);
        front.extraKeys.put(BlkbackFrontendDetails.FEATURE_PERSISTENT, "1");
        rig.startFrontend(front);
        image = FileImageStorage.create(dir.resolve("disk.img"), DISK_SECTORS * 512);
        disk = new RecordingStorage(image);
        final XenbusDevice device = rig.attach("1", disk, null);
        await().atMost(WAIT).failFast(() -> !rig.frontendErrors.isEmpty()).until(() ->
            rig.observer.readState(device.backendPath()) == XenbusState.CONNECTED &&
            front.connections.containsKey(device.id()) && front.connections.get(device.id()).connected);
        connection = front.connections.get(device.id());
        ring = rig.blkback.ring(device);
    }

    @AfterEach
    void tearDown() throws IOException
    {
        rig.close();
        image.close();
    }

    @Test
    void aPageIsReadAndWrittenInPlaceThroughItsKeptMapping() throws IOException
    {
        final long page = rig.allocateGuestPage();
        final byte[] content = fillRandom(page);
        final int ref = grant(page, false);

        assertEquals(BLKIF_RSP_OKAY, roundTrip(segments(BLKIF_OP_WRITE, 16, 1, ref, 0, 7)));
        assertEquals(1, ring.counters().directTransfers(), ring.counters()::toString);
        assertArrayEquals(content, diskBytes(16 * 512, PAGE));
        assertTrue(disk.lastBufferDirect);
        assertEquals(0, disk.lastBufferOffsetBytes);
        assertEquals(PAGE, disk.lastLengthBytes);

        final byte[] onDisk = writeDiskRandom(64 * 512, PAGE);
        final long target = rig.allocateGuestPage();
        fillRandom(target);
        assertEquals(BLKIF_RSP_OKAY, roundTrip(segments(BLKIF_OP_READ, 64, 2, grant(target, false), 0, 7)));
        assertEquals(2, ring.counters().directTransfers(), ring.counters()::toString);
        assertArrayEquals(onDisk, pageBytes(target));

        // the same page again: its kept mapping and device buffer serve it, nothing more is mapped
        assertEquals(BLKIF_RSP_OKAY, roundTrip(segments(BLKIF_OP_WRITE, 24, 3, ref, 0, 7)));
        assertArrayEquals(content, diskBytes(24 * 512, PAGE));
        assertEquals(3, ring.counters().directTransfers());
        assertEquals(2, ring.persistentGrantsMapped());
        assertEquals(3, ring.counters().persistentSegments());
        assertEquals(0, ring.counters().copiedSegments());
        assertEquals(0, ring.counters().errorResponses());
    }

    @Test
    void machineContiguousPagesAreOneStorageCallInPlace() throws IOException
    {
        final long[] pages = extent(2);
        for (int i = 1; i < pages.length; i++)
        {
            assertEquals(mfn(pages[0]) + i, mfn(pages[i]), "the premise: one extent is machine-contiguous");
        }
        final byte[] content = fillRandom(pages);
        final int[] refs = grantAll(pages);

        assertEquals(BLKIF_RSP_OKAY, roundTrip(segments(BLKIF_OP_WRITE, 800, 1,
            refs[0], 0, 7, refs[1], 0, 7, refs[2], 0, 7, refs[3], 0, 7)));
        assertEquals(1, ring.counters().directTransfers(), ring.counters()::toString);
        assertEquals(4 * PAGE, disk.lastLengthBytes);
        assertArrayEquals(content, diskBytes(800 * 512, 4 * PAGE));

        final byte[] onDisk = writeDiskRandom(1600 * 512, 4 * PAGE);
        final long[] targets = extent(2);
        final int[] targetRefs = grantAll(targets);
        assertEquals(BLKIF_RSP_OKAY, roundTrip(segments(BLKIF_OP_READ, 1600, 2,
            targetRefs[0], 0, 7, targetRefs[1], 0, 7, targetRefs[2], 0, 7, targetRefs[3], 0, 7)));
        assertEquals(2, ring.counters().directTransfers(), ring.counters()::toString);
        assertArrayEquals(onDisk, pageBytes(targets));

        // an indirect request of 16 pages of one extent: direct as well
        final long[] sixteen = extent(4);
        final byte[] sixteenContent = fillRandom(sixteen);
        final int[] sixteenRefs = grantAll(sixteen);
        final int indirectRef = grantIndirectPage(sixteenRefs);
        assertEquals(BLKIF_RSP_OKAY, roundTrip(indirect(BLKIF_OP_WRITE, 4000, 3, indirectRef, 16)));
        assertArrayEquals(sixteenContent, diskBytes(4000 * 512, 16 * PAGE));
        for (final long gfn : sixteen)
        {
            rig.guest.guestMemory().frame(gfn).setMemory(0, PAGE, (byte)0);
        }
        assertEquals(BLKIF_RSP_OKAY, roundTrip(indirect(BLKIF_OP_READ, 4000, 4, indirectRef, 16)));
        assertArrayEquals(sixteenContent, pageBytes(sixteen));
        assertEquals(4, ring.counters().directTransfers(), ring.counters()::toString);
        assertEquals(2, ring.counters().persistentIndirectRequests());
        assertEquals(16 * PAGE, disk.lastLengthBytes);
        assertEquals(0, ring.counters().copiedSegments());
    }

    @Test
    void aRunIsReusedOnlyForTheSameRefsAndStillChecksItsSectors() throws IOException
    {
        final long[] run = extent(4);
        final int[] refs = grantAll(run);
        final byte[] content = fillRandom(run);
        assertEquals(BLKIF_RSP_OKAY, roundTrip(indirect(BLKIF_OP_WRITE, 2000, 1, grantIndirectPage(refs), 16)));
        assertEquals(0, ring.counters().reusedRuns(), "first use: looked up, then remembered");
        for (final long gfn : run)
        {
            rig.guest.guestMemory().frame(gfn).setMemory(0, PAGE, (byte)0);
        }
        // the same refs from another indirect page: the remembered run, in place
        assertEquals(BLKIF_RSP_OKAY, roundTrip(indirect(BLKIF_OP_READ, 2000, 2, grantIndirectPage(refs), 16)));
        assertEquals(1, ring.counters().reusedRuns(), ring.counters()::toString);
        assertEquals(2, ring.counters().directTransfers());
        assertArrayEquals(content, pageBytes(run));

        // the same first ref, the last one another page (not contiguous): not the run, so through staging, and the
        // data goes to the page named, not to the run's last page
        final long other = rig.allocateGuestPage();
        final int[] swapped = refs.clone();
        swapped[15] = grant(other, false);
        final byte[] onDisk = writeDiskRandom(6000 * 512, 16 * PAGE);
        final byte[] lastBefore = pageBytes(run[15]);
        assertEquals(BLKIF_RSP_OKAY, roundTrip(indirect(BLKIF_OP_READ, 6000, 3, grantIndirectPage(swapped), 16)));
        assertEquals(1, ring.counters().reusedRuns(), ring.counters()::toString);
        assertEquals(2, ring.counters().directTransfers(), "a page out of the range: staging");
        assertArrayEquals(Arrays.copyOfRange(onDisk, 15 * PAGE, 16 * PAGE), pageBytes(other));
        assertArrayEquals(Arrays.copyOfRange(onDisk, 0, 15 * PAGE), Arrays.copyOf(pageBytes(run), 15 * PAGE));
        assertArrayEquals(lastBefore, pageBytes(run[15]), "the run's own last page is untouched");

        // the run's refs, but the fifth segment starts at sector 1 (a hole): reused, yet not one byte range
        final long indirectGfn = rig.allocateGuestPage();
        final BlkifIndirectPageFlyweight holed =
            new BlkifIndirectPageFlyweight().wrap(rig.guest.guestMemory().frame(indirectGfn), 0);
        for (int s = 0; s < refs.length; s++)
        {
            holed.segment(s, refs[s], s == 4 ? 1 : 0, 7);
        }
        final byte[] holedDisk = writeDiskRandom(9000 * 512, 16 * PAGE - 512);
        assertEquals(BLKIF_RSP_OKAY, roundTrip(indirect(BLKIF_OP_READ, 9000, 4, grant(indirectGfn, true), 16)));
        assertEquals(2, ring.counters().reusedRuns(), ring.counters()::toString);
        assertEquals(2, ring.counters().directTransfers(), "a hole: staging");
        final byte[] pagesNow = pageBytes(run);
        assertArrayEquals(Arrays.copyOfRange(holedDisk, 0, 4 * PAGE), Arrays.copyOf(pagesNow, 4 * PAGE));
        assertArrayEquals(Arrays.copyOfRange(holedDisk, 4 * PAGE, 5 * PAGE - 512),
            Arrays.copyOfRange(pagesNow, 4 * PAGE + 512, 5 * PAGE), "segment 4 lands from its sector 1");
        assertEquals(0, ring.counters().copiedSegments());
    }

    @Test
    void subPageSegmentsStartAtTheirFirstSector() throws IOException
    {
        final long page = rig.allocateGuestPage();
        final byte[] content = fillRandom(page);
        final int ref = grant(page, false);

        // sectors 2..5 of one page
        assertEquals(BLKIF_RSP_OKAY, roundTrip(segments(BLKIF_OP_WRITE, 100, 1, ref, 2, 5)));
        assertEquals(1, ring.counters().directTransfers(), ring.counters()::toString);
        assertEquals(2 * 512, disk.lastBufferOffsetBytes);
        assertEquals(4 * 512, disk.lastLengthBytes);
        assertArrayEquals(Arrays.copyOfRange(content, 2 * 512, 6 * 512), diskBytes(100 * 512, 4 * 512));
        assertArrayEquals(new byte[512], diskBytes(104 * 512, 512), "no more than the segment");

        // read three sectors into sectors 5..7 of another page: the rest of it untouched
        final byte[] onDisk = writeDiskRandom(200 * 512, 3 * 512);
        final long target = rig.allocateGuestPage();
        final byte[] before = fillRandom(target);
        assertEquals(BLKIF_RSP_OKAY, roundTrip(segments(BLKIF_OP_READ, 200, 2, grant(target, false), 5, 7)));
        assertEquals(2, ring.counters().directTransfers());
        final byte[] expected = before.clone();
        System.arraycopy(onDisk, 0, expected, 5 * 512, 3 * 512);
        assertArrayEquals(expected, pageBytes(target));

        // two pages of an extent, from sector 3 of the first to sector 4 of the second: still one byte range
        final long[] pair = extent(1);
        final byte[] pairContent = fillRandom(pair);
        final int[] pairRefs = grantAll(pair);
        assertEquals(BLKIF_RSP_OKAY, roundTrip(segments(BLKIF_OP_WRITE, 300, 3, pairRefs[0], 3, 7, pairRefs[1], 0, 4)));
        assertEquals(3, ring.counters().directTransfers(), ring.counters()::toString);
        assertEquals(3 * 512, disk.lastBufferOffsetBytes);
        assertEquals(10 * 512, disk.lastLengthBytes);
        assertArrayEquals(Arrays.copyOfRange(pairContent, 3 * 512, PAGE + 5 * 512), diskBytes(300 * 512, 10 * 512));
    }

    @Test
    void pagesThatAreNotOneMachineRangeGoThroughStaging() throws IOException
    {
        final long[] pair = extent(1);
        final byte[] pairContent = fillRandom(pair);
        final int[] refs = grantAll(pair);

        // the extent's pages in reverse order: each kept, but the second is the page before the first
        assertEquals(BLKIF_RSP_OKAY, roundTrip(segments(BLKIF_OP_WRITE, 40, 1, refs[1], 0, 7, refs[0], 0, 7)));
        assertEquals(0, ring.counters().directTransfers(), ring.counters()::toString);
        assertEquals(2, ring.counters().persistentSegments(), "kept mappings, plain copies through staging");
        assertArrayEquals(Arrays.copyOfRange(pairContent, PAGE, 2 * PAGE), diskBytes(40 * 512, PAGE));
        assertArrayEquals(Arrays.copyOfRange(pairContent, 0, PAGE), diskBytes(48 * 512, PAGE));

        // one page twice
        assertEquals(BLKIF_RSP_OKAY, roundTrip(segments(BLKIF_OP_WRITE, 56, 2, refs[0], 0, 7, refs[0], 0, 7)));
        assertEquals(0, ring.counters().directTransfers());
        assertArrayEquals(Arrays.copyOfRange(pairContent, 0, PAGE), diskBytes(64 * 512, PAGE));

        // read back in reverse order
        for (final long gfn : pair)
        {
            rig.guest.guestMemory().frame(gfn).setMemory(0, PAGE, (byte)0);
        }
        assertEquals(BLKIF_RSP_OKAY, roundTrip(segments(BLKIF_OP_READ, 40, 3, refs[1], 0, 7, refs[0], 0, 7)));
        assertEquals(0, ring.counters().directTransfers());
        assertArrayEquals(pairContent, pageBytes(pair));
        assertEquals(0, ring.counters().copiedSegments());
        assertTrue(disk.lastBufferDirect, "staging is a private direct buffer");
    }

    @Test
    void aHoleInTheMiddleGoesThroughStaging() throws IOException
    {
        final long[] pages = extent(2);
        final byte[] content = fillRandom(pages);
        final int[] refs = grantAll(pages);

        // the middle segment ends at sector 6: its page's last sector is not part of the request
        assertEquals(BLKIF_RSP_OKAY, roundTrip(segments(BLKIF_OP_WRITE, 500, 1,
            refs[0], 0, 7, refs[1], 0, 6, refs[2], 0, 7)));
        assertEquals(0, ring.counters().directTransfers(), ring.counters()::toString);
        final byte[] expected = new byte[3 * PAGE - 512];
        System.arraycopy(content, 0, expected, 0, 2 * PAGE - 512);
        System.arraycopy(content, 2 * PAGE, expected, 2 * PAGE - 512, PAGE);
        assertArrayEquals(expected, diskBytes(500 * 512, expected.length));

        // the middle segment starts at sector 1
        assertEquals(BLKIF_RSP_OKAY, roundTrip(segments(BLKIF_OP_WRITE, 600, 2,
            refs[0], 0, 7, refs[1], 1, 7, refs[2], 0, 7)));
        assertEquals(0, ring.counters().directTransfers());
        final byte[] skipsFirstSector = new byte[3 * PAGE - 512];
        System.arraycopy(content, 0, skipsFirstSector, 0, PAGE);
        System.arraycopy(content, PAGE + 512, skipsFirstSector, PAGE, 2 * PAGE - 512);
        assertArrayEquals(skipsFirstSector, diskBytes(600 * 512, skipsFirstSector.length));

        // a read with the hole: the sector outside the request keeps what the guest had
        final byte[] onDisk = writeDiskRandom(700 * 512, 3 * PAGE - 512);
        final byte[] before = fillRandom(pages);
        assertEquals(BLKIF_RSP_OKAY, roundTrip(segments(BLKIF_OP_READ, 700, 3,
            refs[0], 0, 7, refs[1], 0, 6, refs[2], 0, 7)));
        assertEquals(0, ring.counters().directTransfers());
        final byte[] expectedPages = before.clone();
        System.arraycopy(onDisk, 0, expectedPages, 0, 2 * PAGE - 512);
        System.arraycopy(onDisk, 2 * PAGE - 512, expectedPages, 2 * PAGE, PAGE);
        assertArrayEquals(expectedPages, pageBytes(pages));
        assertEquals(0, ring.counters().errorResponses());
    }

    @Test
    void aWriteWithAGrantThatCannotBeKeptTouchesNoStorage() throws IOException
    {
        final long[] pair = extent(1);
        fillRandom(pair);
        final int good = grant(pair[0], false);
        final int readOnly = grant(pair[1], true);
        final int neverGranted = 700;
        final byte[] diskBefore = diskBytes(0, 64 * 512);

        assertEquals(BLKIF_RSP_ERROR, roundTrip(segments(BLKIF_OP_WRITE, 0, 1, good, 0, 7, neverGranted, 0, 7)));
        assertEquals(BLKIF_RSP_ERROR, roundTrip(segments(BLKIF_OP_READ, 8, 2, good, 0, 7, readOnly, 0, 7)));
        assertArrayEquals(diskBefore, diskBytes(0, 64 * 512));
        assertEquals(0, ring.counters().directTransfers());
        assertEquals(2, ring.counters().errorResponses());
        // the good page alone still goes direct
        assertEquals(BLKIF_RSP_OKAY, roundTrip(segments(BLKIF_OP_WRITE, 16, 3, good, 0, 7)));
        assertEquals(1, ring.counters().directTransfers());
    }

    /** One extent of {@code 2^order} machine-contiguous guest pages. */
    private long[] extent(final int order)
    {
        final long[] first = new long[1];
        assertEquals(1, rig.guest.hypercalls().memory().increaseReservation(DomainId.SELF, 1, order, first));
        final long[] gfns = new long[1 << order];
        for (int i = 0; i < gfns.length; i++)
        {
            gfns[i] = first[0] + i;
        }
        return gfns;
    }

    private int mfn(final long gfn)
    {
        return rig.guest.physmap().mfn(gfn);
    }

    private int grant(final long gfn, final boolean readOnly)
    {
        synchronized (rig.grants)
        {
            return rig.grants.grantAccess(0, gfn, readOnly);
        }
    }

    private int[] grantAll(final long[] gfns)
    {
        final int[] refs = new int[gfns.length];
        for (int i = 0; i < gfns.length; i++)
        {
            refs[i] = grant(gfns[i], false);
        }
        return refs;
    }

    /** A fresh indirect page naming {@code refs} as whole-page segments, granted read-only as blkfront does. */
    private int grantIndirectPage(final int[] refs)
    {
        final long gfn = rig.allocateGuestPage();
        final BlkifIndirectPageFlyweight segments =
            new BlkifIndirectPageFlyweight().wrap(rig.guest.guestMemory().frame(gfn), 0);
        for (int s = 0; s < refs.length; s++)
        {
            segments.segment(s, refs[s], 0, 7);
        }
        return grant(gfn, true);
    }

    /** Random bytes in each of {@code gfns}, returned in page order. */
    private byte[] fillRandom(final long... gfns)
    {
        final byte[] bytes = new byte[gfns.length * PAGE];
        random.nextBytes(bytes);
        for (int i = 0; i < gfns.length; i++)
        {
            rig.guest.guestMemory().frame(gfns[i]).putBytes(0, bytes, i * PAGE, PAGE);
        }
        return bytes;
    }

    private byte[] pageBytes(final long... gfns)
    {
        final byte[] bytes = new byte[gfns.length * PAGE];
        for (int i = 0; i < gfns.length; i++)
        {
            final AtomicBuffer frame = rig.guest.guestMemory().frame(gfns[i]);
            frame.getBytes(0, bytes, i * PAGE, PAGE);
        }
        return bytes;
    }

    private byte[] diskBytes(final long offsetBytes, final int lengthBytes) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(lengthBytes);
        image.read(offsetBytes, buffer, 0, lengthBytes);
        return buffer.array();
    }

    private byte[] writeDiskRandom(final long offsetBytes, final int lengthBytes) throws IOException
    {
        final byte[] bytes = new byte[lengthBytes];
        random.nextBytes(bytes);
        image.write(offsetBytes, ByteBuffer.wrap(bytes), 0, lengthBytes);
        return bytes;
    }

    /** A read or write of the segments given as (ref, first_sect, last_sect) triples. */
    private BiConsumer<AtomicBuffer, Integer> segments(
        final int operation, final long sector, final long id, final int... triples)
    {
        return (buffer, slot) ->
        {
            request.wrap(buffer, slot).header(operation, triples.length / 3, 0).id(id).sectorNumber(sector);
            for (int s = 0; s < triples.length / 3; s++)
            {
                request.segment(s, triples[3 * s], triples[3 * s + 1], triples[3 * s + 2]);
            }
        };
    }

    private static BiConsumer<AtomicBuffer, Integer> indirect(
        final int indirectOperation, final long sector, final long id, final int indirectRef, final int segments)
    {
        return (buffer, slot) -> new BlkifIndirectRequestFlyweight().wrap(buffer, slot)
            .operation(BLKIF_OP_INDIRECT).indirectOperation(indirectOperation).nrSegments(segments).id(id)
            .sectorNumber(sector).indirectGref(0, indirectRef);
    }

    /** Claims a slot, lets {@code writer} fill it, pushes, and returns the response's status. */
    private int roundTrip(final BiConsumer<AtomicBuffer, Integer> writer)
    {
        final HostileBlkfront.Connection c = connection;
        final int slot = c.front.claimRequest();
        c.buffer().setMemory(slot, 112, (byte)0);
        writer.accept(c.buffer(), slot);
        c.push(rig.guest);
        await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
            .until(() -> c.front.pollResponses() > 0);
        return (int)HostileBlkfront.response(c.buffer(), c.front.takeResponse())[2];
    }
}
