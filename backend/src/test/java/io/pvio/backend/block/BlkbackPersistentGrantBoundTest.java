package io.pvio.backend.block;

import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusFrontRing;
import io.pvio.hypervisor.xenbus.XenbusState;
import io.pvio.ring.FrontRing;
import io.pvio.ring.SharedRing;
import io.pvio.ring.blkif.BlkifAbi;
import io.pvio.ring.blkif.BlkifIndirectPageFlyweight;
import io.pvio.ring.blkif.BlkifIndirectRequestFlyweight;
import io.pvio.ring.blkif.BlkifRequestFlyweight;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * blkback's persistent grants against a front end that negotiates {@code feature-persistent} and then sends ever new
 * grant references instead of reusing a pool: the rings of a device keep at most the device's budget of mappings
 * together (a small one here, given to {@link BlkbackXenbus}; {@link BlkbackPersistentGrants#DEFAULT_MAX_PER_DEVICE}
 * by default), serve everything beyond by grant copy (inline and indirect alike), never write through a grant
 * they kept read-only, and give their share back when they go.
 */
class BlkbackPersistentGrantBoundTest
{
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final long DISK_SECTORS = 16384;
    private static final int SEGMENTS = 11;
    private static final int SECTORS_PER_PAGE = 8;
    /** The device's budget in these tests: small, so that a few requests reach it. */
    private static final int BUDGET = 100;

    private BlockTestRig rig;
    private HostileBlkfront front;
    private HostileBlkfront.Connection connection;
    private BlkbackRing ring;
    private MemoryStorage disk;
    private final BlkifRequestFlyweight request = new BlkifRequestFlyweight();
    private final Random random = new Random(1056);

    @BeforeEach
    void setUp()
    {
        rig = new BlockTestRig(new BlkbackFeatures(true, true, true, true, 64, 2, 0), BUDGET);
        front = new HostileBlkfront(rig.guest, rig.grants);
        front.extraKeys.put(BlkbackFrontendDetails.FEATURE_PERSISTENT, "1");
        rig.startFrontend(front);
        disk = new MemoryStorage(DISK_SECTORS);
    }

    /** Attaches device 1 with one ring. */
    private void connectOneRing()
    {
        final XenbusDevice device = rig.attach("1", disk, null);
        awaitConnected(device);
        connection = front.connections.get(device.id());
        ring = rig.blkback.ring(device);
    }

    private void awaitConnected(final XenbusDevice device)
    {
        await().atMost(WAIT).failFast(() -> !rig.frontendErrors.isEmpty()).until(() ->
            rig.observer.readState(device.backendPath()) == XenbusState.CONNECTED &&
            front.connections.containsKey(device.id()) && front.connections.get(device.id()).connected);
    }

    @AfterEach
    void tearDown()
    {
        rig.close();
    }

    @Test
    void everNewGrantsAreCopiedBeyondTheBoundNeverKeptMapped()
    {
        connectOneRing();
        assertEquals(BUDGET, rig.blkback.maxPersistentGrantsPerDevice());
        final int bound = BUDGET;
        final int mappingsBefore = rig.hv.dom0Hypercalls().grantTable().mappingsHeld();
        // four pages of data, each granted again and again under fresh references: 200 more than the bound
        final long[] pages = rig.allocateGuestPages(4);
        final byte[][] contents = new byte[pages.length][4096];
        for (int i = 0; i < pages.length; i++)
        {
            random.nextBytes(contents[i]);
            rig.guest.guestMemory().frame(pages[i]).putBytes(0, contents[i]);
        }
        final int requests = (bound + 200) / SEGMENTS + 1;
        for (int r = 0; r < requests; r++)
        {
            final int[] refs = new int[SEGMENTS];
            for (int s = 0; s < SEGMENTS; s++)
            {
                refs[s] = grant(pages[(r * SEGMENTS + s) % pages.length], false);
            }
            assertEquals(BLKIF_RSP_OKAY, roundTrip(connection, inline(BLKIF_OP_WRITE,
                (long)r * SEGMENTS * SECTORS_PER_PAGE, r, refs)), "write " + r);
            assertTrue(ring.persistentGrantsMapped() <= bound, "kept " + ring.persistentGrantsMapped());
        }
        for (int r = 0; r < requests; r++)
        {
            for (int s = 0; s < SEGMENTS; s++)
            {
                final long sector = ((long)r * SEGMENTS + s) * SECTORS_PER_PAGE;
                assertArrayEquals(contents[(r * SEGMENTS + s) % pages.length], disk.snapshot(sector * 512, 4096),
                    "request " + r + " segment " + s);
            }
        }
        final BlkbackCounters counters = ring.counters();
        assertEquals(bound, ring.persistentGrantsMapped(), "the first grants up to the bound are kept");
        assertEquals(bound, counters.persistentSegments(), counters::toString);
        assertEquals((long)requests * SEGMENTS - bound, counters.copiedSegments(), counters::toString);
        assertEquals(mappingsBefore + bound, rig.hv.dom0Hypercalls().grantTable().mappingsHeld(),
            "dom0 holds the kept mappings and no more");

        // a read into fresh grants beyond the bound: copied into the front end's page, nothing more kept
        final long target = rig.allocateGuestPage();
        assertEquals(BLKIF_RSP_OKAY,
            roundTrip(connection, inline(BLKIF_OP_READ, SECTORS_PER_PAGE, 900, grant(target, false))));
        assertArrayEquals(contents[1], bytesOf(rig.guest.guestMemory().frame(target)));

        // an indirect write on a fresh indirect page and fresh data grants: all copied, nothing more kept
        final int[] refs = new int[12];
        for (int s = 0; s < refs.length; s++)
        {
            refs[s] = grant(pages[3], false);
        }
        assertEquals(BLKIF_RSP_OKAY,
            roundTrip(connection, indirect(BLKIF_OP_WRITE, 8000, 901, grantIndirectPage(refs))));
        for (int s = 0; s < refs.length; s++)
        {
            assertArrayEquals(contents[3], disk.snapshot((8000L + s * SECTORS_PER_PAGE) * 512, 4096), "segment " + s);
        }
        assertEquals(bound, ring.persistentGrantsMapped());
        assertEquals(0, counters.persistentIndirectRequests());
        assertEquals(mappingsBefore + bound, rig.hv.dom0Hypercalls().grantTable().mappingsHeld());
        assertEquals(0, counters.errorResponses());
    }

    @Test
    void indirectRequestsUseKeptMappingsAndAPageKeptReadOnlyIsNeverWrittenThrough()
    {
        connectOneRing();
        final long dataPage = rig.allocateGuestPage();
        final byte[] content = new byte[4096];
        random.nextBytes(content);
        rig.guest.guestMemory().frame(dataPage).putBytes(0, content);
        final int[] refs = new int[16];
        for (int s = 0; s < refs.length; s++)
        {
            refs[s] = grant(dataPage, false);
        }
        final IndirectPage indirectPage = grantIndirectPage(refs);

        // the same indirect page and data grants twice: mapped once (16 data pages writable, the indirect page
        // read-only), the second request through the kept mappings only
        assertEquals(BLKIF_RSP_OKAY, roundTrip(connection, indirect(BLKIF_OP_WRITE, 0, 1, indirectPage)));
        assertEquals(BLKIF_RSP_OKAY, roundTrip(connection, indirect(BLKIF_OP_READ, 0, 2, indirectPage)));
        assertEquals(17, ring.persistentGrantsMapped());
        assertEquals(2, ring.counters().persistentIndirectRequests(), ring.counters()::toString);
        assertEquals(0, ring.counters().copiedSegments(), ring.counters()::toString);
        for (int s = 0; s < refs.length; s++)
        {
            assertArrayEquals(content, disk.snapshot((long)s * SECTORS_PER_PAGE * 512, 4096), "segment " + s);
        }

        // the indirect page named as the target of a read: kept read-only, so not written through; the grant copy
        // into a read-only grant fails and the page is untouched
        final AtomicBuffer indirectFrame = rig.guest.guestMemory().frame(indirectPage.gfn());
        final byte[] indirectBefore = bytesOf(indirectFrame);
        assertEquals(BLKIF_RSP_ERROR, roundTrip(connection, inline(BLKIF_OP_READ, 64, 3, indirectPage.ref())));
        assertArrayEquals(indirectBefore, bytesOf(indirectFrame));
        assertEquals(17, ring.persistentGrantsMapped());
        assertEquals(1, ring.counters().errorResponses());
    }

    @Test
    void theRingsOfOneDeviceShareItsBudget()
    {
        // two rings of device 2, made by the test and published under queue-N as a multi-queue blkfront does
        final HostileBlkfront.Connection[] queues = new HostileBlkfront.Connection[2];
        front.extraKeys.put(BlkbackFrontendDetails.MULTI_QUEUE_NUM_QUEUES, "2");
        for (int q = 0; q < queues.length; q++)
        {
            final XenbusFrontRing resources;
            synchronized (rig.grants)
            {
                resources = XenbusFrontRing.claim(rig.guest.hypercalls(), rig.guest.guestMemory(), rig.grants, 0, 0);
            }
            queues[q] = new HostileBlkfront.Connection(resources, FrontRing.initialise(
                SharedRing.ofPageOrder(resources.page(0), 0, BlkifAbi.X86_64.layout())));
            final String dir = BlkbackXenbus.QUEUE_DIR_PREFIX + q + "/";
            front.extraKeys.put(dir + XenbusFrontRing.RING_REF, Integer.toString(resources.ref(0)));
            front.extraKeys.put(dir + XenbusFrontRing.EVENT_CHANNEL, Integer.toString(resources.port()));
        }
        final int mappingsAtStart = rig.hv.dom0Hypercalls().grantTable().mappingsHeld();
        final XenbusDevice device = rig.attach("2", disk, null);
        awaitConnected(device);
        final List<BlkbackRing> rings = rig.blkback.rings(device);
        assertEquals(2, rings.size());
        final int mappingsBefore = rig.hv.dom0Hypercalls().grantTable().mappingsHeld();

        // ring 0 keeps 60 mappings of the device's 100
        final long page = rig.allocateGuestPage();
        final int perRequest = SEGMENTS;
        int id = 0;
        for (int r = 0; r < 6; r++)
        {
            assertEquals(BLKIF_RSP_OKAY, roundTrip(queues[0], inline(BLKIF_OP_WRITE, 0, id++, freshRefs(page, 10))));
        }
        assertEquals(60, rings.get(0).persistentGrantsMapped());
        // ring 1 gets the other 40 and copies the rest: the budget is the device's, not each ring's
        for (int r = 0; r < 5; r++)
        {
            assertEquals(BLKIF_RSP_OKAY,
                roundTrip(queues[1], inline(BLKIF_OP_WRITE, 0, id++, freshRefs(page, perRequest))));
        }
        assertEquals(BUDGET - 60, rings.get(1).persistentGrantsMapped());
        assertEquals(BUDGET - 60, rings.get(1).counters().persistentSegments());
        assertEquals(5L * perRequest - (BUDGET - 60), rings.get(1).counters().copiedSegments());
        // and ring 0, though it kept only 60, keeps no more
        assertEquals(BLKIF_RSP_OKAY, roundTrip(queues[0], inline(BLKIF_OP_WRITE, 0, id++, freshRefs(page, 3))));
        assertEquals(60, rings.get(0).persistentGrantsMapped());
        assertEquals(3, rings.get(0).counters().copiedSegments());
        assertEquals(mappingsBefore + BUDGET, rig.hv.dom0Hypercalls().grantTable().mappingsHeld());
        assertEquals(0, rings.get(0).counters().errorResponses() + rings.get(1).counters().errorResponses());

        // the device goes: both rings unmap everything they kept
        rig.toolstack.detach(device);
        await().atMost(WAIT).until(() -> rig.hv.dom0Hypercalls().grantTable().mappingsHeld() == mappingsAtStart);
        assertTrue(rig.blkback.rings(device).isEmpty());
    }

    @Test
    void aRingGivesItsShareBackWhenItGoes()
    {
        connectOneRing();
        final long page = rig.allocateGuestPage();
        final BlkbackPersistentGrantBudget budget = new BlkbackPersistentGrantBudget(3);
        final BlkbackPersistentGrants first =
            new BlkbackPersistentGrants(rig.hv.dom0Hypercalls(), rig.guest.domid(), SEGMENTS, budget);
        final BlkbackPersistentGrants second =
            new BlkbackPersistentGrants(rig.hv.dom0Hypercalls(), rig.guest.domid(), SEGMENTS, budget);
        final int mappingsBefore = rig.hv.dom0Hypercalls().grantTable().mappingsHeld();
        final int[] refs = freshRefs(page, 4);

        for (int i = 0; i < 3; i++)
        {
            assertNotEquals(BlkbackPersistentGrants.NOT_KEPT, first.keepWritable(refs[i]));
        }
        assertEquals(0, budget.available());
        assertEquals(BlkbackPersistentGrants.NOT_KEPT, second.keepWritable(refs[3]), "the budget is spent");
        assertEquals(BlkbackPersistentGrants.NOT_KEPT, first.keepWritable(refs[3]));
        assertEquals(0, first.keepWritable(refs[0]), "a kept grant keeps its slot");
        assertEquals(BlkbackPersistentGrants.NOT_KEPT, second.keepWritable(1 << 20), "never granted");
        assertEquals(0, budget.available(), "a failed map gives its claim back, and takes nothing");
        assertEquals(mappingsBefore + 3, rig.hv.dom0Hypercalls().grantTable().mappingsHeld());

        first.release();
        assertEquals(3, budget.available(), "its whole share back");
        assertEquals(0, first.size());
        assertEquals(mappingsBefore, rig.hv.dom0Hypercalls().grantTable().mappingsHeld());
        first.release();
        assertEquals(3, budget.available(), "release is idempotent");
        assertNotEquals(BlkbackPersistentGrants.NOT_KEPT, second.keepWritable(refs[3]));
        assertEquals(2, budget.available());
        second.release();

        assertThrows(IllegalStateException.class, () -> budget.release(1), "never more than was claimed");
        assertThrows(IllegalArgumentException.class, () -> new BlkbackPersistentGrantBudget(-1));
    }

    @Test
    void aBudgetOfZeroKeepsNothingAndCopiesEverything()
    {
        rig.close();
        rig = new BlockTestRig(new BlkbackFeatures(true, true, true, true, 64, 1, 0), 0);
        front = new HostileBlkfront(rig.guest, rig.grants);
        front.extraKeys.put(BlkbackFrontendDetails.FEATURE_PERSISTENT, "1");
        rig.startFrontend(front);
        connectOneRing();
        final long page = rig.allocateGuestPage();
        final byte[] content = new byte[4096];
        random.nextBytes(content);
        rig.guest.guestMemory().frame(page).putBytes(0, content);
        final int ref = grant(page, false);
        assertEquals(BLKIF_RSP_OKAY, roundTrip(connection, inline(BLKIF_OP_WRITE, 80, 1, ref)));
        assertEquals(BLKIF_RSP_OKAY, roundTrip(connection, inline(BLKIF_OP_WRITE, 88, 2, ref)));
        assertArrayEquals(content, disk.snapshot(88 * 512, 4096));
        assertEquals(0, ring.persistentGrantsMapped());
        assertEquals(2, ring.counters().copiedSegments());
        assertEquals(0, ring.counters().directTransfers());
        assertThrows(IllegalArgumentException.class, () -> new BlockTestRig(BlkbackFeatures.defaults(), -1).close());
    }

    /** {@code count} fresh references to dom0 for {@code gfn}, writable. */
    private int[] freshRefs(final long gfn, final int count)
    {
        final int[] refs = new int[count];
        for (int i = 0; i < count; i++)
        {
            refs[i] = grant(gfn, false);
        }
        return refs;
    }

    /** An indirect page of {@code segments} whole-page segments, granted on {@code ref}. */
    private record IndirectPage(long gfn, int ref, int segments)
    {
    }

    /** Grants {@code gfn} to dom0 on a fresh reference. */
    private int grant(final long gfn, final boolean readOnly)
    {
        synchronized (rig.grants)
        {
            return rig.grants.grantAccess(0, gfn, readOnly);
        }
    }

    /** A fresh indirect page naming {@code refs} as whole-page segments, granted read-only as blkfront does. */
    private IndirectPage grantIndirectPage(final int[] refs)
    {
        final long gfn = rig.allocateGuestPage();
        final BlkifIndirectPageFlyweight segments =
            new BlkifIndirectPageFlyweight().wrap(rig.guest.guestMemory().frame(gfn), 0);
        for (int s = 0; s < refs.length; s++)
        {
            segments.segment(s, refs[s], 0, SECTORS_PER_PAGE - 1);
        }
        return new IndirectPage(gfn, grant(gfn, true), refs.length);
    }

    private BiConsumer<AtomicBuffer, Integer> inline(
        final int operation, final long sector, final long id, final int... refs)
    {
        return (buffer, slot) ->
        {
            request.wrap(buffer, slot).header(operation, refs.length, 0).id(id).sectorNumber(sector);
            for (int s = 0; s < refs.length; s++)
            {
                request.segment(s, refs[s], 0, SECTORS_PER_PAGE - 1);
            }
        };
    }

    /** An indirect request of the segments {@code page} names. */
    private static BiConsumer<AtomicBuffer, Integer> indirect(
        final int indirectOperation, final long sector, final long id, final IndirectPage page)
    {
        return (buffer, slot) -> new BlkifIndirectRequestFlyweight().wrap(buffer, slot)
            .operation(BLKIF_OP_INDIRECT).indirectOperation(indirectOperation).nrSegments(page.segments()).id(id)
            .sectorNumber(sector).indirectGref(0, page.ref());
    }

    /** Claims a slot of {@code c}'s ring, lets {@code writer} fill it, pushes, and returns the response's status. */
    private int roundTrip(final HostileBlkfront.Connection c, final BiConsumer<AtomicBuffer, Integer> writer)
    {
        final int slot = c.front.claimRequest();
        c.buffer().setMemory(slot, 112, (byte)0);
        writer.accept(c.buffer(), slot);
        c.push(rig.guest);
        await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
            .until(() -> c.front.pollResponses() > 0);
        return (int)HostileBlkfront.response(c.buffer(), c.front.takeResponse())[2];
    }

    private static byte[] bytesOf(final AtomicBuffer page)
    {
        final byte[] bytes = new byte[4096];
        page.getBytes(0, bytes);
        return bytes;
    }
}
