package io.pvio.frontend.block;

import io.pvio.backend.block.BlkbackCounters;
import io.pvio.backend.block.BlkbackFeatures;
import io.pvio.backend.block.BlkbackRing;
import io.pvio.backend.block.BlkbackXenbus;
import io.pvio.backend.block.MemoryStorage;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.ring.blkif.BlkifConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Registered buffers ({@link BlkfrontDevice#allocateBuffer}): guest pages granted to the back end for the buffer's
 * life, which requests carry as they are. Data round-trips through them and mixes with plain buffers; with
 * {@code feature-persistent} the back end maps the buffer's own pages and none of blkfront's persistent pages; the
 * pages are one machine-contiguous extent when there is room; freeing, closing the device and running short give
 * every grant and page back; a back-end restart loses nothing.
 */
class BlkfrontRegisteredBufferTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);
    /** The deferred release polls with a backoff of up to 1 s. */
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(10);
    private static final int LARGEST = BlkfrontDevice.MAX_INDIRECT_SEGMENTS;
    /** One queue, persistent grants, indirect requests as large as a registered buffer. */
    private static final BlkbackFeatures PERSISTENT = new BlkbackFeatures(true, true, true, true, LARGEST, 1, 0);
    private static final BlkbackFeatures NOT_PERSISTENT = new BlkbackFeatures(true, true, true, false, LARGEST, 1, 0);
    private static final String ID = "768";

    private BlockRig rig;

    @AfterEach
    void tearDown()
    {
        if (rig != null)
        {
            rig.close();
        }
    }

    private BlkfrontDevice attach(final BlkbackFeatures features, final MemoryStorage disk)
    {
        rig = new BlockRig(features, 1);
        return rig.attach(ID, disk, null);
    }

    private XenbusDevice xenbusDevice()
    {
        return new XenbusDevice(BlkbackXenbus.DEVICE_TYPE, ID, rig.guest.domid(), 0);
    }

    private BlkbackRing backRing()
    {
        final List<BlkbackRing> rings = rig.blkback.rings(xenbusDevice());
        assertEquals(1, rings.size());
        return rings.get(0);
    }

    private byte[] fillRandom(final BlockBuffer buffer, final long seed)
    {
        final byte[] bytes = new byte[buffer.lengthBytes()];
        new Random(seed).nextBytes(bytes);
        rig.fill(buffer, bytes);
        return bytes;
    }

    private static Set<Long> gfnsOf(final BlockBuffer... buffers)
    {
        final Set<Long> gfns = new TreeSet<>();
        for (final BlockBuffer buffer : buffers)
        {
            for (final long gfn : buffer.gfns())
            {
                gfns.add(gfn);
            }
        }
        return gfns;
    }

    private static Set<Long> minus(final Set<Long> from, final Set<Long> taken)
    {
        final Set<Long> left = new TreeSet<>(from);
        left.removeAll(taken);
        return left;
    }

    private void assertNoErrors()
    {
        assertTrue(rig.errors.isEmpty(), rig.errors::toString);
        assertTrue(rig.rejections.isEmpty(), rig.rejections::toString);
    }

    @Test
    void dataRoundTripsThroughRegisteredBuffersOfOneAndOfTheLargestSize() throws Exception
    {
        final MemoryStorage disk = new MemoryStorage(8192);
        final BlkfrontBlockingDevice device = new BlkfrontBlockingDevice(attach(PERSISTENT, disk), TIMEOUT_NS);
        final BlkfrontDevice async = device.device();
        final BlockBuffer one = async.allocateBuffer(1);
        final BlockBuffer oneIn = async.allocateBuffer(1);
        final BlockBuffer big = async.allocateBuffer(LARGEST);
        final BlockBuffer bigIn = async.allocateBuffer(LARGEST);
        assertEquals(1, one.pageCount());
        assertEquals(LARGEST, big.pageCount());
        assertEquals(LARGEST * 4096, big.lengthBytes());
        assertEquals(0, big.offsetBytes());

        final byte[] small = fillRandom(one, 1);
        final byte[] large = fillRandom(big, 2);
        device.write(8, one);
        device.write(64, big);
        device.read(8, oneIn);
        device.read(64, bigIn);
        assertArrayEquals(small, rig.bytesOf(oneIn));
        assertArrayEquals(large, rig.bytesOf(bigIn));
        // and it is on the disk, where it was written
        assertArrayEquals(small, disk.snapshot(8 * 512, 4096));
        assertArrayEquals(large, disk.snapshot(64 * 512, LARGEST * 4096));

        // registered to plain and plain to registered
        final BlockBuffer plainBig = BlockBuffer.ofPages(rig.allocateGuestPages(LARGEST));
        device.read(64, plainBig);
        assertArrayEquals(large, rig.bytesOf(plainBig));
        final byte[] plainData = fillRandom(plainBig, 3);
        device.write(4096, plainBig);
        device.read(4096, bigIn);
        assertArrayEquals(plainData, rig.bytesOf(bigIn));
        assertArrayEquals(plainData, disk.snapshot(4096L * 512, LARGEST * 4096));
        final BlockBuffer plainOne = BlockBuffer.ofPages(rig.allocateGuestPages(1));
        device.read(8, plainOne);
        assertArrayEquals(small, rig.bytesOf(plainOne));
        assertNoErrors();
        assertEquals(0, backRing().counters().errorResponses(), backRing().counters()::toString);
    }

    @Test
    void withPersistentGrantsTheBackEndMapsTheBuffersOwnPagesAndNoneOfBlkfrontsPersistentPages() throws Exception
    {
        final MemoryStorage disk = new MemoryStorage(8192);
        final BlkfrontBlockingDevice device = new BlkfrontBlockingDevice(attach(PERSISTENT, disk), TIMEOUT_NS);
        final BlkfrontDevice async = device.device();
        // connected, nothing issued: dom0 maps the ring page alone
        final Set<Long> ringPages = rig.writablyMappedGfns();
        assertEquals(1, ringPages.size(), ringPages::toString);
        assertEquals(0, backRing().persistentGrantsMapped());

        final BlockBuffer one = async.allocateBuffer(1);
        final BlockBuffer oneIn = async.allocateBuffer(1);
        final BlockBuffer big = async.allocateBuffer(LARGEST);
        final BlockBuffer bigIn = async.allocateBuffer(LARGEST);
        final byte[] small = fillRandom(one, 4);
        final byte[] large = fillRandom(big, 5);
        device.write(0, one);
        device.write(16, big);
        device.read(0, oneIn);
        device.read(16, bigIn);
        assertArrayEquals(small, rig.bytesOf(oneIn));
        assertArrayEquals(large, rig.bytesOf(bigIn));

        // blkback keeps a writable mapping of exactly the buffers' pages: blkfront's own persistent pages (which a
        // request that is not on registered pages is copied through) were never handed to it
        final Set<Long> registered = gfnsOf(one, oneIn, big, bigIn);
        assertEquals(registered, minus(rig.writablyMappedGfns(), ringPages));
        final BlkbackCounters counters = backRing().counters();
        assertEquals(0, counters.copiedSegments(), counters::toString);
        assertEquals(2 + 2 * LARGEST, counters.persistentSegments(), counters::toString);
        // the indirect pages (read-only, one per id used) are the only other grants it keeps
        final int kept = backRing().persistentGrantsMapped();
        assertTrue(kept > registered.size() && kept <= registered.size() + 32, "kept " + kept);

        // a plain buffer, by contrast, goes through one of blkfront's persistent pages: one more writable mapping,
        // which is neither the caller's page nor a registered one
        final long plain = rig.allocateGuestPages(1)[0];
        rig.page(plain).putBytes(0, small);
        device.write(32, BlockBuffer.ofPages(plain));
        final Set<Long> persistentPages = minus(minus(rig.writablyMappedGfns(), ringPages), registered);
        assertEquals(1, persistentPages.size(), persistentPages::toString);
        assertFalse(persistentPages.contains(plain));
        assertArrayEquals(small, disk.snapshot(32 * 512, 4096));
        assertNoErrors();
    }

    @Test
    void theLargestBufferIsOneMachineContiguousExtentAndOnlyTheAskedPagesAreKept()
    {
        final BlkfrontDevice device = attach(PERSISTENT, new MemoryStorage(1024));
        final int populated = rig.guest.guestMemory().populatedPages();
        final int freeRefs = rig.grants.freeRefCount();

        final BlockBuffer big = device.allocateBuffer(LARGEST);
        assertEquals(0, big.gfn(0) % LARGEST, "an extent is aligned to its size");
        assertContiguous(big);
        assertEquals(populated + LARGEST, rig.guest.guestMemory().populatedPages());
        assertEquals(freeRefs - LARGEST, rig.grants.freeRefCount(), "one grant per page");

        // 3 pages come from an extent of 4: the fourth is given back at once
        final BlockBuffer three = device.allocateBuffer(3);
        assertContiguous(three);
        assertEquals(populated + LARGEST + 3, rig.guest.guestMemory().populatedPages());
        assertFalse(rig.guest.guestMemory().isPopulated(three.gfn(2) + 1), "the extent's excess page went back");
        assertEquals(freeRefs - LARGEST - 3, rig.grants.freeRefCount());
        assertNoErrors();
    }

    private void assertContiguous(final BlockBuffer buffer)
    {
        final int firstMfn = rig.guest.physmap().mfn(buffer.gfn(0));
        for (int page = 0; page < buffer.pageCount(); page++)
        {
            assertEquals(buffer.gfn(0) + page, buffer.gfn(page), "consecutive gfns");
            assertEquals(firstMfn + page, rig.guest.physmap().mfn(buffer.gfn(page)), "consecutive frames");
        }
    }

    @Test
    void partsOfARegisteredBufferAndBuffersMixingRegisteredAndPlainPagesAreServed() throws Exception
    {
        final MemoryStorage disk = new MemoryStorage(4096);
        final BlkfrontBlockingDevice device = new BlkfrontBlockingDevice(attach(PERSISTENT, disk), TIMEOUT_NS);
        final BlkfrontDevice async = device.device();
        final Set<Long> ringPages = rig.writablyMappedGfns();
        final BlockBuffer source = async.allocateBuffer(8);
        final BlockBuffer sink = async.allocateBuffer(8);
        final byte[] whole = fillRandom(source, 6);
        device.write(0, source);

        // its first three pages
        final BlockBuffer firstThree = BlockBuffer.ofPages(Arrays.copyOf(sink.gfns(), 3));
        device.read(0, firstThree);
        assertArrayEquals(Arrays.copyOf(whole, 3 * 4096), rig.bytesOf(firstThree));

        // an offset and a length inside its pages 2..5, both ways
        final long[] middle = Arrays.copyOfRange(source.gfns(), 2, 6);
        final BlockBuffer inside = new BlockBuffer(middle, 1024, 3 * 4096 + 512);
        final byte[] insideData = fillRandom(inside, 7);
        device.write(100, inside);
        assertArrayEquals(insideData, disk.snapshot(100 * 512, insideData.length));
        final BlockBuffer insideSink = new BlockBuffer(Arrays.copyOfRange(sink.gfns(), 4, 8), 1024, 3 * 4096 + 512);
        device.read(100, insideSink);
        assertArrayEquals(insideData, rig.bytesOf(insideSink));
        // only registered pages were handed to the back end so far
        final Set<Long> registered = gfnsOf(source, sink);
        assertTrue(registered.containsAll(minus(rig.writablyMappedGfns(), ringPages)));

        // a registered page and a plain one: the normal path, through blkfront's persistent pages
        final long plain = rig.allocateGuestPages(1)[0];
        final BlockBuffer mixed = BlockBuffer.ofPages(source.gfn(7), plain);
        final byte[] mixedData = fillRandom(mixed, 8);
        device.write(200, mixed);
        assertArrayEquals(mixedData, disk.snapshot(200 * 512, mixedData.length));
        final BlockBuffer mixedSink = BlockBuffer.ofPages(rig.allocateGuestPages(1)[0], sink.gfn(0));
        device.read(200, mixedSink);
        assertArrayEquals(mixedData, rig.bytesOf(mixedSink));
        final Set<Long> copiedThrough = minus(minus(rig.writablyMappedGfns(), ringPages), registered);
        assertFalse(copiedThrough.isEmpty(), "blkfront's persistent pages carried the mixed requests");
        assertFalse(copiedThrough.contains(plain), "a caller's plain page is never handed to the back end");
        assertNoErrors();
    }

    @Test
    void freeingEndsTheGrantsAndGivesThePagesBackOnceTheBackEndLetsGo() throws Exception
    {
        final BlkfrontBlockingDevice device =
            new BlkfrontBlockingDevice(attach(PERSISTENT, new MemoryStorage(1024)), TIMEOUT_NS);
        final BlkfrontDevice async = device.device();
        final int populated = rig.guest.guestMemory().populatedPages();
        final int freeRefs = rig.grants.freeRefCount();

        // never used: nothing maps it, so it is all given back at once (on the device's agent)
        final BlockBuffer unused = async.allocateBuffer(4);
        assertEquals(populated + 4, rig.guest.guestMemory().populatedPages());
        async.freeBuffer(unused);
        await().atMost(BlockRig.WAIT).until(() ->
            rig.guest.guestMemory().populatedPages() == populated && rig.grants.freeRefCount() == freeRefs);
        assertEquals(0, rig.blkfront.grantsAwaitingRelease());
        assertThrows(IllegalArgumentException.class, () -> async.freeBuffer(unused), "freed already");
        // a request on its pages now fails, it does not reach them
        assertEquals(BlkifConstants.BLKIF_RSP_ERROR,
            assertThrows(BlockIoException.class, () -> device.read(0, unused)).status());

        // not one of this device's: a plain buffer, or a copy of a live buffer's pages (buffers go by identity)
        final BlockBuffer live = async.allocateBuffer(2);
        assertThrows(IllegalArgumentException.class,
            () -> async.freeBuffer(BlockBuffer.ofPages(rig.allocateGuestPages(1))));
        assertThrows(IllegalArgumentException.class, () -> async.freeBuffer(BlockBuffer.ofPages(live.gfns())));
        final byte[] data = fillRandom(live, 9);
        device.write(0, live);

        // mapped by the back end (persistent): ended only once it lets go
        final int populatedWithLive = rig.guest.guestMemory().populatedPages();
        final BlockBuffer mapped = async.allocateBuffer(4);
        device.write(16, mapped);
        device.read(16, mapped);
        assertTrue(rig.writablyMappedGfns().containsAll(gfnsOf(mapped)));
        async.freeBuffer(mapped);
        await().atMost(BlockRig.WAIT).until(() -> rig.blkfront.grantsAwaitingRelease() == 4);
        assertEquals(populatedWithLive + 4, rig.guest.guestMemory().populatedPages(), "still the back end's to use");
        assertThrows(IllegalArgumentException.class, () -> async.freeBuffer(mapped));

        rig.stopBackend();
        await().atMost(RELEASE_WAIT).until(() -> rig.blkfront.grantsAwaitingRelease() == 0 &&
            rig.guest.guestMemory().populatedPages() == populatedWithLive &&
            rig.grants.freeRefCount() == freeRefs - 2);
        for (final long gfn : mapped.gfns())
        {
            assertFalse(rig.guest.guestMemory().isPopulated(gfn));
        }
        // the live buffer is untouched
        assertArrayEquals(data, rig.bytesOf(live));
        assertNoErrors();
    }

    @Test
    void aFreedBufferComesBackWhileConnectedOnceTheBackEndUnmapsTheGrantsItNoLongerUses() throws Exception
    {
        // blkback unmaps a kept grant after 300 ms unused (Linux's persistent_grant_unused_seconds, 60 by default)
        rig = new BlockRig(PERSISTENT, 1, 0, null, TimeUnit.MILLISECONDS.toNanos(300));
        final BlkfrontBlockingDevice device =
            new BlkfrontBlockingDevice(rig.attach(ID, new MemoryStorage(1024), null), TIMEOUT_NS);
        final BlkfrontDevice async = device.device();
        final int populated = rig.guest.guestMemory().populatedPages();
        final int freeRefs = rig.grants.freeRefCount();
        final BlockBuffer freed = async.allocateBuffer(4);
        final byte[] data = fillRandom(freed, 12);
        device.write(16, freed);
        assertTrue(rig.writablyMappedGfns().containsAll(gfnsOf(freed)));
        async.freeBuffer(freed);

        // connected all along: the back end lets go of the unused grants, blkfront ends them, the pages go back
        await().atMost(RELEASE_WAIT).until(() -> rig.blkfront.grantsAwaitingRelease() == 0 &&
            rig.guest.guestMemory().populatedPages() == populated && rig.grants.freeRefCount() == freeRefs);
        assertTrue(async.isConnected());
        for (final long gfn : freed.gfns())
        {
            assertFalse(rig.guest.guestMemory().isPopulated(gfn));
        }
        assertTrue(backRing().counters().purgedPersistentGrants() >= 4, backRing().counters()::toString);

        // and the device serves new buffers through kept mappings as before; the data freed's pages carried is on disk
        final BlockBuffer again = async.allocateBuffer(4);
        device.read(16, again);
        assertArrayEquals(data, rig.bytesOf(again));
        assertTrue(rig.writablyMappedGfns().containsAll(gfnsOf(again)));
        assertEquals(0, backRing().counters().copiedSegments(), backRing().counters()::toString);
        assertNoErrors();
    }

    @Test
    void removingTheDeviceGivesBackEveryBufferNotFreedAndLaterAllocationsFailKeepingNothing() throws Exception
    {
        rig = new BlockRig(PERSISTENT, 1);
        final int populated = rig.guest.guestMemory().populatedPages();
        final int freeRefs = rig.grants.freeRefCount();
        final MemoryStorage disk = new MemoryStorage(4096);
        final BlkfrontDevice async = rig.attach(ID, disk, null);
        final BlkfrontBlockingDevice device = new BlkfrontBlockingDevice(async, TIMEOUT_NS);
        final BlockBuffer one = async.allocateBuffer(1);
        final BlockBuffer eight = async.allocateBuffer(8);
        final BlockBuffer big = async.allocateBuffer(LARGEST);
        final BlockBuffer neverUsed = async.allocateBuffer(2);
        final byte[] data = fillRandom(big, 10);
        device.write(0, big);
        device.read(0, one);
        device.write(3000, eight);
        async.freeBuffer(eight);

        rig.toolstack.detach(xenbusDevice());
        await().atMost(BlockRig.WAIT).until(() -> rig.toolstack.isClosed(xenbusDevice()));
        rig.toolstack.remove(xenbusDevice());
        await().atMost(BlockRig.WAIT).until(() -> rig.blkfront.device(ID) == null);
        await().atMost(RELEASE_WAIT).until(() ->
            rig.hv.dom0Hypercalls().grantTable().mappingsHeld() == 0 &&
            rig.blkfront.grantsAwaitingRelease() == 0 &&
            rig.grants.freeRefCount() == freeRefs &&
            rig.guest.guestMemory().populatedPages() == populated);
        for (final BlockBuffer buffer : List.of(one, big, neverUsed))
        {
            for (final long gfn : buffer.gfns())
            {
                assertFalse(rig.guest.guestMemory().isPopulated(gfn));
            }
        }
        assertArrayEquals(data, disk.snapshot(0, data.length));

        // closed: nothing more is allocated, nothing is kept
        assertThrows(IllegalStateException.class, () -> async.allocateBuffer(1));
        assertThrows(IllegalStateException.class, () -> async.allocateBuffer(LARGEST));
        assertEquals(freeRefs, rig.grants.freeRefCount());
        assertEquals(populated, rig.guest.guestMemory().populatedPages());
        // a buffer the caller had not freed may still be freed (it is gone already); twice is an error
        async.freeBuffer(one);
        assertThrows(IllegalArgumentException.class, () -> async.freeBuffer(one));
        assertThrows(IllegalArgumentException.class, () -> async.freeBuffer(eight));
        assertEquals(freeRefs, rig.grants.freeRefCount());
        assertEquals(populated, rig.guest.guestMemory().populatedPages());
        assertNoErrors();
    }

    @Test
    void sizesOutsideOneToTheLargestRequestAreRefusedKeepingNothing()
    {
        final BlkfrontDevice device = attach(PERSISTENT, new MemoryStorage(1024));
        final int populated = rig.guest.guestMemory().populatedPages();
        final int freeRefs = rig.grants.freeRefCount();
        assertThrows(IllegalArgumentException.class, () -> device.allocateBuffer(0));
        assertThrows(IllegalArgumentException.class, () -> device.allocateBuffer(-1));
        assertThrows(IllegalArgumentException.class, () -> device.allocateBuffer(LARGEST + 1));
        assertEquals(populated, rig.guest.guestMemory().populatedPages());
        assertEquals(freeRefs, rig.grants.freeRefCount());
        assertNoErrors();
    }

    @Test
    void aGuestShortOfMemoryGetsNoBufferAndKeepsNothingButOneThatFitsIsMadeOfSinglePages() throws Exception
    {
        final MemoryStorage disk = new MemoryStorage(1024);
        final BlkfrontBlockingDevice device = new BlkfrontBlockingDevice(attach(PERSISTENT, disk), TIMEOUT_NS);
        final BlkfrontDevice async = device.device();
        // the guest's reservation used up but for 3 pages
        final int left = rig.guest.hypercalls().memory().maximumReservation(DomainId.SELF) -
            rig.guest.guestMemory().populatedPages();
        rig.allocateGuestPages(left - 3);
        final int populated = rig.guest.guestMemory().populatedPages();
        final int freeRefs = rig.grants.freeRefCount();

        assertThrows(IllegalStateException.class, () -> async.allocateBuffer(4));
        assertThrows(IllegalStateException.class, () -> async.allocateBuffer(LARGEST));
        assertEquals(populated, rig.guest.guestMemory().populatedPages(), "no page kept");
        assertEquals(freeRefs, rig.grants.freeRefCount(), "no grant kept");

        // an extent of 4 would pass the ceiling: 3 single pages do not
        final BlockBuffer three = async.allocateBuffer(3);
        assertEquals(populated + 3, rig.guest.guestMemory().populatedPages());
        final byte[] data = fillRandom(three, 11);
        device.write(24, three);
        final BlockBuffer back = BlockBuffer.ofPages(three.gfns());
        rig.fill(back, new byte[data.length]);
        device.read(24, back);
        assertArrayEquals(data, rig.bytesOf(back));
        assertArrayEquals(data, disk.snapshot(24 * 512, data.length));
        assertNoErrors();
    }

    @Test
    void aGuestShortOfGrantReferencesGetsNoBufferAndKeepsNothing()
    {
        final BlkfrontDevice device = attach(PERSISTENT, new MemoryStorage(1024));
        final long page = rig.allocateGuestPages(1)[0];
        final List<Integer> taken = new ArrayList<>();
        synchronized (rig.grants)
        {
            while (rig.grants.freeRefCount() > 2)
            {
                taken.add(rig.grants.grantAccess(DomainId.DOM0, page, true));
            }
        }
        final int populated = rig.guest.guestMemory().populatedPages();
        assertThrows(IllegalStateException.class, () -> device.allocateBuffer(3));
        assertThrows(IllegalStateException.class, () -> device.allocateBuffer(LARGEST));
        assertEquals(populated, rig.guest.guestMemory().populatedPages(), "no page kept");
        assertEquals(2, rig.grants.freeRefCount(), "no grant kept");
        // 2 pages fit: a buffer uses no more references than it has pages
        final BlockBuffer two = device.allocateBuffer(2);
        assertEquals(0, rig.grants.freeRefCount());
        assertEquals(populated + 2, rig.guest.guestMemory().populatedPages());
        device.freeBuffer(two);
        await().atMost(BlockRig.WAIT).until(() -> rig.grants.freeRefCount() == 2);
        synchronized (rig.grants)
        {
            for (final int ref : taken)
            {
                assertTrue(rig.grants.tryEndAccess(ref));
            }
        }
        assertNoErrors();
    }

    @Test
    void withoutPersistentGrantsTheBackEndCopiesThroughTheBuffersGrantsAndKeepsNothingMapped() throws Exception
    {
        final MemoryStorage disk = new MemoryStorage(8192);
        final BlkfrontBlockingDevice device = new BlkfrontBlockingDevice(attach(NOT_PERSISTENT, disk), TIMEOUT_NS);
        final BlkfrontDevice async = device.device();
        final int populated = rig.guest.guestMemory().populatedPages();
        final int freeRefs = rig.grants.freeRefCount();
        final BlockBuffer one = async.allocateBuffer(1);
        final BlockBuffer big = async.allocateBuffer(LARGEST);
        final BlockBuffer bigIn = async.allocateBuffer(LARGEST);
        final byte[] small = fillRandom(one, 12);
        final byte[] large = fillRandom(big, 13);
        device.write(0, one);
        device.write(8, big);
        device.read(8, bigIn);
        assertArrayEquals(large, rig.bytesOf(bigIn));
        device.read(8 + 8 * LARGEST, bigIn);
        assertArrayEquals(new byte[LARGEST * 4096], rig.bytesOf(bigIn), "never written: zeros");
        device.read(0, bigIn);
        assertArrayEquals(small, Arrays.copyOf(rig.bytesOf(bigIn), 4096));
        assertArrayEquals(large, disk.snapshot(8 * 512, large.length));

        final BlkbackCounters counters = backRing().counters();
        assertEquals(0, counters.persistentSegments(), counters::toString);
        assertEquals(1 + 4L * LARGEST, counters.copiedSegments(), counters::toString);
        assertEquals(0, backRing().persistentGrantsMapped());
        assertEquals(1, rig.hv.dom0Hypercalls().grantTable().mappingsHeld(), "the ring alone is mapped");
        // nothing maps them: freed, they are given back at once
        async.freeBuffer(one);
        async.freeBuffer(big);
        async.freeBuffer(bigIn);
        await().atMost(BlockRig.WAIT).until(() ->
            rig.guest.guestMemory().populatedPages() == populated && rig.grants.freeRefCount() == freeRefs);
        assertEquals(0, rig.blkfront.grantsAwaitingRelease());
        assertNoErrors();
    }

    /**
     * A request on registered pages takes nothing from the ring's grant reference pool, so a pool smaller than the
     * largest request (the guest was short of references when the ring was set up) must not cap it.
     */
    @Test
    void aRingShortOfGrantReferencesStillServesTheLargestRegisteredRequest() throws Exception
    {
        final MemoryStorage disk = new MemoryStorage(8192);
        final BlkfrontBlockingDevice device = new BlkfrontBlockingDevice(attach(NOT_PERSISTENT, disk), TIMEOUT_NS);
        final BlkfrontDevice async = device.device();
        final BlockBuffer big = async.allocateBuffer(LARGEST);
        final BlockBuffer back = async.allocateBuffer(1);
        final byte[] data = fillRandom(big, 14);
        device.write(0, big);

        // blkfront lets go of the ring (its pool comes back), the guest is left with 150 references, the back end
        // comes back: the new ring's pool is what is left after its indirect pages, fewer than LARGEST
        rig.blkfront.disconnect(xenbusDevice());
        await().atMost(BlockRig.WAIT).until(() -> !async.isConnected() && rig.grants.freeRefCount() > 1000);
        final long page = rig.allocateGuestPages(1)[0];
        synchronized (rig.grants)
        {
            while (rig.grants.freeRefCount() > 150)
            {
                rig.grants.grantAccess(DomainId.DOM0, page, true);
            }
        }
        rig.stopBackend();
        rig.startBackend();
        await().atMost(BlockRig.WAIT).until(() -> async.isConnected() && async.connections() == 2);

        rig.fill(big, new byte[data.length]);
        device.read(0, big);
        assertArrayEquals(data, rig.bytesOf(big));
        device.read(0, back);
        assertArrayEquals(Arrays.copyOf(data, 4096), rig.bytesOf(back));
    }

    @Test
    void aBackEndRestartDuringABurstOfWritesOnRegisteredBuffersLosesNothing() throws Exception
    {
        rig = new BlockRig();
        final MemoryStorage disk = new MemoryStorage(16 * 1024);
        final BlkfrontDevice device = rig.attach(ID, disk, null);
        // four one-page buffers, and four parts of four pages of a 16-page one
        final BlockBuffer shared = device.allocateBuffer(16);
        final BlockBuffer[] sources = new BlockBuffer[8];
        final byte[][] contents = new byte[sources.length][];
        for (int i = 0; i < sources.length; i++)
        {
            sources[i] = i < 4 ? device.allocateBuffer(1) :
                BlockBuffer.ofPages(Arrays.copyOfRange(shared.gfns(), 4 * (i - 4), 4 * (i - 3)));
            contents[i] = fillRandom(sources[i], 100 + i);
        }
        final List<CompletableFuture<Void>> writes = new ArrayList<>();
        final List<Long> sectors = new ArrayList<>();
        long sector = 0;
        for (int i = 0; i < 200; i++)
        {
            writes.add(device.write(sector, sources[i % sources.length]));
            sectors.add(sector);
            sector += sources[i % sources.length].sectorCount();
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

        // the back end dies with the burst going on: a ring's worth is pushed to it and never answered
        rig.stopBackend();
        for (int i = 200; i < 800; i++)
        {
            writes.add(device.write(sector, sources[i % sources.length]));
            sectors.add(sector);
            sector += sources[i % sources.length].sectorCount();
        }
        await().atMost(BlockRig.WAIT).until(() -> device.inFlightHighWatermark() == device.queueDepth());
        assertTrue(writes.subList(200, writes.size()).stream().noneMatch(CompletableFuture::isDone));
        rig.startBackend();

        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        assertEquals(2, device.connections(), "reconnected once");
        for (int i = 0; i < writes.size(); i++)
        {
            assertFalse(writes.get(i).isCompletedExceptionally());
            assertArrayEquals(contents[i % sources.length],
                disk.snapshot(sectors.get(i) * 512, contents[i % sources.length].length), "write " + i);
        }
        // the new rings carried the buffers' own grants too: mapped by blkback, nothing copied through blkfront's
        // persistent pages
        final Set<Long> registered = gfnsOf(shared);
        for (int i = 0; i < 4; i++)
        {
            registered.addAll(gfnsOf(sources[i]));
        }
        final Set<Long> mapped = rig.writablyMappedGfns();
        assertTrue(mapped.containsAll(registered), "mapped " + mapped);
        assertTrue(mapped.size() <= registered.size() + 2, "ring pages and registered pages only: " + mapped);
        assertNoErrors();
    }
}
