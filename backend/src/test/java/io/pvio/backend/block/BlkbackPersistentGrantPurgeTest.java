package io.pvio.backend.block;

import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusState;
import io.pvio.ring.blkif.BlkifAbi;
import io.pvio.ring.blkif.BlkifIndirectPageFlyweight;
import io.pvio.ring.blkif.BlkifIndirectRequestFlyweight;
import io.pvio.ring.blkif.BlkifRequest;
import io.pvio.ring.blkif.BlkifRequestFlyweight;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_INDIRECT;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_READ;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_WRITE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kept grants that no request uses any more are unmapped after the device's idle timeout (Linux blkback's
 * {@code persistent_grant_unused_seconds}), so a front end that stopped using pages (it freed a registered buffer)
 * can end their grants while still connected; grants in use stay mapped, and what was cached about the slots is
 * never used for another grant's page.
 */
class BlkbackPersistentGrantPurgeTest
{
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final long DISK_SECTORS = 16384;
    private static final int SECTORS_PER_PAGE = 8;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    private final BlkifRequestFlyweight request = new BlkifRequestFlyweight();
    private final Random random = new Random(60);
    private BlockTestRig rig;

    @AfterEach
    void tearDown()
    {
        if (rig != null)
        {
            rig.close();
        }
    }

    /** A rig whose blkback unmaps kept grants unused for {@code idleTimeoutNs}. */
    private void startRig(final long idleTimeoutNs)
    {
        rig = new BlockTestRig(new BlkbackFeatures(true, true, true, true, 64, 1, 0), null, null, null,
            BlkbackPersistentGrants.DEFAULT_MAX_PER_DEVICE, idleTimeoutNs);
    }

    @Test
    void onlyGrantsUnusedForTheTimeoutAreUnmappedAndTheRestKeepWorkingUnderNewSlots()
    {
        startRig(TIMEOUT_NS);
        final long[] pages = rig.allocateGuestPages(3);
        final int[] refs = new int[pages.length];
        for (int i = 0; i < pages.length; i++)
        {
            refs[i] = grant(pages[i]);
        }
        final BlkbackPersistentGrantBudget budget = new BlkbackPersistentGrantBudget(10, TIMEOUT_NS);
        final BlkbackPersistentGrants kept =
            new BlkbackPersistentGrants(rig.hv.dom0Hypercalls(), rig.guest.domid(), 4, budget);
        final int mappingsBefore = rig.hv.dom0Hypercalls().grantTable().mappingsHeld();

        // at t=0 all three are kept (slots 0, 1, 2); at t=30 s only the middle one is used again
        kept.useTimeNs(0);
        for (int i = 0; i < refs.length; i++)
        {
            assertEquals(i, kept.keepWritable(refs[i]));
        }
        // a device buffer and a view of slot 0 are cached: after the purge they must not reach page 0
        final ByteBuffer slotZeroBefore = kept.runBuffer(new int[] {0}, 1);
        kept.writableView(0);
        final long middleBusAddress = kept.busAddress(1);
        kept.useTimeNs(TimeUnit.SECONDS.toNanos(30));
        assertEquals(1, kept.keepWritable(refs[1]));
        assertEquals(TimeUnit.SECONDS.toNanos(30) + 1,
            kept.nextPurgeInNs(TimeUnit.SECONDS.toNanos(30), TIMEOUT_NS), "the oldest use decides");

        // exactly at the timeout nothing goes; one nanosecond later the two unused ones do
        assertEquals(0, kept.purgeIdle(TIMEOUT_NS, TIMEOUT_NS));
        assertEquals(3, kept.size());
        assertEquals(2, kept.purgeIdle(TIMEOUT_NS + 1, TIMEOUT_NS));
        assertEquals(1, kept.size());
        assertEquals(9, budget.available(), "the purged mappings' claims are back");
        assertEquals(mappingsBefore + 1, rig.hv.dom0Hypercalls().grantTable().mappingsHeld());
        assertTrue(tryEndAccess(refs[0]) && tryEndAccess(refs[2]), "the front end can end the purged grants");
        assertFalse(tryEndAccess(refs[1]), "the one in use stays mapped");

        // the survivor is slot 0 now: its view and device buffer are its own page, not the purged one's
        assertEquals(0, kept.keepWritable(refs[1]));
        final byte[] content = new byte[4096];
        random.nextBytes(content);
        kept.writableView(0).putBytes(0, content);
        assertArrayEquals(content, bytesOf(rig.guest.guestMemory().frame(pages[1])));
        final ByteBuffer slotZero = kept.runBuffer(new int[] {0}, 1);
        assertNotSame(slotZeroBefore, slotZero, "a buffer cached before the purge is not handed out again");
        final byte[] viaBuffer = new byte[4096];
        slotZero.clear();
        slotZero.get(viaBuffer);
        assertArrayEquals(content, viaBuffer);
        assertEquals(middleBusAddress, kept.busAddress(0), "the survivor's bus address moved with it");

        // a purged grant used again is mapped again, as new
        final int again = grant(pages[0]);
        assertEquals(1, kept.keepWritable(again));
        assertEquals(8, budget.available());
        assertEquals(0, kept.nextPurgeInNs(TIMEOUT_NS * 2 + 1, TIMEOUT_NS),
            "grants unused for longer than the timeout are due at once");
        kept.release();
        assertEquals(10, budget.available());
        assertEquals(-1, kept.nextPurgeInNs(0, TIMEOUT_NS), "nothing kept, nothing to wake for");
        assertEquals(mappingsBefore, rig.hv.dom0Hypercalls().grantTable().mappingsHeld());
        assertThrows(IllegalArgumentException.class, () -> new BlkbackPersistentGrantBudget(1, 0));
    }

    @Test
    void aRememberedRunCountsAsAUseOfItsSlotsAndIsForgottenWhenSlotsAreRenumbered()
    {
        startRig(TIMEOUT_NS);
        final int runPages = BlkbackPersistentGrants.RUN_CACHE_MIN_SEGMENTS;
        final long[] pages = rig.allocateGuestPages(runPages + 1);
        final int[] refs = new int[runPages];
        for (int i = 0; i < runPages; i++)
        {
            refs[i] = grant(pages[i]);
        }
        final int loner = grant(pages[runPages]);
        final BlkbackPersistentGrants kept = new BlkbackPersistentGrants(
            rig.hv.dom0Hypercalls(), rig.guest.domid(), runPages, new BlkbackPersistentGrantBudget(64, TIMEOUT_NS));
        final BlkifRequest run = indirectRequest(refs);

        // at t=0 one ref is kept (slot 0), then the run's (slots 1-16), and the run remembered
        kept.useTimeNs(0);
        assertEquals(0, kept.keepWritable(loner));
        final int[] slots = new int[runPages];
        for (int i = 0; i < runPages; i++)
        {
            slots[i] = kept.keepWritable(refs[i]);
            assertEquals(i + 1, slots[i]);
        }
        kept.rememberRun(run, runPages, slots);
        assertEquals(1, kept.runsRemembered());

        // at t=30 s the same refs come again: the slots come from the run, with no lookup and no stamp per slot
        kept.useTimeNs(TimeUnit.SECONDS.toNanos(30));
        final int[] reused = new int[runPages];
        assertTrue(kept.reuseRun(run, runPages, reused));
        assertArrayEquals(slots, reused);
        assertFalse(kept.reuseRun(run, runPages - 1, reused), "a shorter list is another run");
        final int[] changed = refs.clone();
        changed[runPages - 1] = loner;
        assertFalse(kept.reuseRun(indirectRequest(changed), runPages, reused), "one ref differs: not this run");

        // the purge sees the run's use as its slots' use: only the loner, unused since t=0, goes
        assertEquals(1, kept.purgeIdle(TIMEOUT_NS + 1, TIMEOUT_NS));
        assertEquals(runPages, kept.size());
        assertEquals(TimeUnit.SECONDS.toNanos(30), kept.nextPurgeInNs(TIMEOUT_NS + 1, TIMEOUT_NS),
            "the survivors' last use is the run's, at t=30 s");
        // the purge renumbered the slots (1-16 are 0-15 now): the run, which named the old ones, is forgotten
        assertEquals(0, kept.runsRemembered());
        assertFalse(kept.reuseRun(run, runPages, reused));
        kept.useTimeNs(TimeUnit.SECONDS.toNanos(40));
        for (int i = 0; i < runPages; i++)
        {
            reused[i] = kept.keepWritable(refs[i]);
            assertEquals(i, reused[i], "the survivors' slots, renumbered from 0");
        }
        kept.rememberRun(run, runPages, reused);
        // a use through the run at t=50 s is what the next wake-up is computed from, before any purge
        kept.useTimeNs(TimeUnit.SECONDS.toNanos(50));
        assertTrue(kept.reuseRun(run, runPages, reused));
        assertEquals(TIMEOUT_NS + 1, kept.nextPurgeInNs(TimeUnit.SECONDS.toNanos(50), TIMEOUT_NS),
            "the last use is the run's, at t=50 s");
        kept.release();
        assertEquals(0, kept.runsRemembered(), "release forgets the runs with the mappings");
    }

    /** Our copy of an indirect read naming {@code refs} as whole pages, as blkback makes it. */
    private static BlkifRequest indirectRequest(final int[] refs)
    {
        final UnsafeBuffer slot = new UnsafeBuffer(new byte[BlkifAbi.X86_64.requestBytes()]);
        new BlkifIndirectRequestFlyweight().wrap(slot, 0).operation(BLKIF_OP_INDIRECT)
            .indirectOperation(BLKIF_OP_READ).nrSegments(refs.length).id(1).sectorNumber(0).indirectGref(0, 1);
        final UnsafeBuffer page = new UnsafeBuffer(new byte[4096]);
        final BlkifIndirectPageFlyweight segments = new BlkifIndirectPageFlyweight().wrap(page, 0);
        for (int i = 0; i < refs.length; i++)
        {
            segments.segment(i, refs[i], 0, 7);
        }
        final BlkifRequest copy = new BlkifRequest(64);
        copy.copyFrom(slot, 0, BlkifAbi.X86_64);
        copy.copyIndirectSegmentsFrom(page, 0);
        assertEquals(refs.length, copy.segmentCount());
        return copy;
    }

    @Test
    void aSleepingRingWakesToUnmapGrantsTheFrontEndStoppedUsing()
    {
        final long idleTimeoutNs = TimeUnit.MILLISECONDS.toNanos(300);
        startRig(idleTimeoutNs);
        final HostileBlkfront front = new HostileBlkfront(rig.guest, rig.grants);
        front.extraKeys.put(BlkbackFrontendDetails.FEATURE_PERSISTENT, "1");
        rig.startFrontend(front);
        final MemoryStorage disk = new MemoryStorage(DISK_SECTORS);
        final XenbusDevice device = rig.attach("1", disk, null);
        await().atMost(WAIT).failFast(() -> !rig.frontendErrors.isEmpty()).until(() ->
            rig.observer.readState(device.backendPath()) == XenbusState.CONNECTED &&
            front.connections.containsKey(device.id()) && front.connections.get(device.id()).connected);
        final HostileBlkfront.Connection connection = front.connections.get(device.id());
        final BlkbackRing ring = rig.blkback.ring(device);
        final int mappingsBefore = rig.hv.dom0Hypercalls().grantTable().mappingsHeld();

        final long[] pages = rig.allocateGuestPages(4);
        final int[] refs = new int[pages.length];
        final byte[] content = new byte[4096 * pages.length];
        random.nextBytes(content);
        for (int i = 0; i < pages.length; i++)
        {
            rig.guest.guestMemory().frame(pages[i]).putBytes(0, content, i * 4096, 4096);
            refs[i] = grant(pages[i]);
        }
        assertEquals(BLKIF_RSP_OKAY, roundTrip(connection, BLKIF_OP_WRITE, 64, 1, refs));
        assertEquals(4, ring.counters().persistentSegments(), ring.counters()::toString);

        // the front end sends nothing more: the ring parks, and still lets go of the four once they are idle
        await().atMost(WAIT).until(() -> ring.persistentGrantsMapped() == 0 &&
            rig.hv.dom0Hypercalls().grantTable().mappingsHeld() == mappingsBefore);
        assertEquals(4, ring.counters().purgedPersistentGrants(), ring.counters()::toString);
        for (final int ref : refs)
        {
            assertTrue(tryEndAccess(ref), "ref " + ref + " can be ended while the device stays connected");
        }

        // the data went to the disk, and fresh grants are kept and served as before
        final long[] targets = rig.allocateGuestPages(4);
        final int[] fresh = new int[targets.length];
        for (int i = 0; i < targets.length; i++)
        {
            fresh[i] = grant(targets[i]);
        }
        assertEquals(BLKIF_RSP_OKAY, roundTrip(connection, BLKIF_OP_READ, 64, 2, fresh));
        for (int i = 0; i < targets.length; i++)
        {
            final byte[] expected = new byte[4096];
            System.arraycopy(content, i * 4096, expected, 0, 4096);
            assertArrayEquals(expected, bytesOf(rig.guest.guestMemory().frame(targets[i])), "page " + i);
        }
        assertEquals(8, ring.counters().persistentSegments(), ring.counters()::toString);
        assertEquals(0, ring.counters().copiedSegments() + ring.counters().errorResponses(),
            ring.counters()::toString);
        assertTrue(rig.backendErrors.isEmpty(), rig.backendErrors::toString);
    }

    private int grant(final long gfn)
    {
        synchronized (rig.grants)
        {
            return rig.grants.grantAccess(0, gfn, false);
        }
    }

    private boolean tryEndAccess(final int ref)
    {
        synchronized (rig.grants)
        {
            return rig.grants.tryEndAccess(ref);
        }
    }

    /** Writes one inline request of whole-page segments, pushes it, and returns the response's status. */
    private int roundTrip(final HostileBlkfront.Connection c, final int operation, final long sector, final long id,
        final int... refs)
    {
        final int slot = c.front.claimRequest();
        c.buffer().setMemory(slot, 112, (byte)0);
        request.wrap(c.buffer(), slot).header(operation, refs.length, 0).id(id).sectorNumber(sector);
        for (int s = 0; s < refs.length; s++)
        {
            request.segment(s, refs[s], 0, SECTORS_PER_PAGE - 1);
        }
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
