package io.pvio.backend.block;

import io.pvio.hypervisor.hypercall.HypercallOp;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusState;
import io.pvio.ring.SringDescriptor;
import io.pvio.ring.blkif.BlkifRequestFlyweight;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_FLUSH_DISKCACHE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_READ;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When blkback tells a front end that parked mid-batch: the front end arms {@code rsp_event} for the first response,
 * then publishes a batch at once. The storage notes, as each request reaches it on blkback's thread, how many events
 * dom0 has sent, which shows where blkback ended its batch to notify: after a request of more than a page at once,
 * and within a batch of one-page (or no-page) requests at the first check
 * ({@link BlkbackRing#RESPONSE_CHECK_REQUESTS}), by the {@code rsp_event} read with {@code req_prod} as the batch
 * began (looking at it again costs a wait for the front end's CPU). The storage also notes {@code rsp_prod}, which
 * shows responses going out in groups of at most {@link BlkbackRing#RESPONSE_GROUP_REQUESTS}, and, from slow
 * storage, at every check.
 */
class BlkbackBatchNotifyTest
{
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int BATCH = 20;

    private BlockTestRig rig;
    private HostileBlkfront front;
    /** dom0's event sends when each storage call began, minus those before the batch. */
    private final List<Long> sendsSeenByStorage = new CopyOnWriteArrayList<>();
    private volatile long sendsBefore;
    /** The responses the front end could see ({@code rsp_prod}) when each storage call began. */
    private final List<Integer> responsesSeenByStorage = new CopyOnWriteArrayList<>();
    /** How long each flush takes (0: at once), from the one whose index (since the test began) is this on. */
    private volatile long slowFlushNs;
    private volatile int slowFromCall;
    /** The ring the storage looks at, once connected. */
    private volatile AtomicBuffer watchedRing;

    @BeforeEach
    void setUp()
    {
        rig = new BlockTestRig();
        front = new HostileBlkfront(rig.guest, rig.grants);
        rig.startFrontend(front);
    }

    @AfterEach
    void tearDown()
    {
        rig.close();
    }

    private long dom0Sends()
    {
        return rig.host.dom0().counters().count(HypercallOp.EVTCHN_SEND);
    }

    /** Memory, noting dom0's sends at each read and flush (called on blkback's agent thread). */
    private BlockStorage notingStorage()
    {
        final MemoryStorage disk = new MemoryStorage(2048);
        return new BlockStorage()
        {
            public long sectorCount()
            {
                return disk.sectorCount();
            }

            public void read(
                final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes, final int lengthBytes)
                throws IOException
            {
                noteStorageCall();
                disk.read(offsetBytes, buffer, bufferOffsetBytes, lengthBytes);
            }

            public void write(
                final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes, final int lengthBytes)
                throws IOException
            {
                disk.write(offsetBytes, buffer, bufferOffsetBytes, lengthBytes);
            }

            public void flush()
            {
                noteStorageCall();
                if (slowFlushNs > 0 && responsesSeenByStorage.size() > slowFromCall)
                {
                    LockSupport.parkNanos(slowFlushNs);
                }
            }

            public void discard(final long offsetBytes, final long lengthBytes)
            {
                disk.discard(offsetBytes, lengthBytes);
            }

            public void close()
            {
            }
        };
    }

    private void noteStorageCall()
    {
        sendsSeenByStorage.add(dom0Sends() - sendsBefore);
        final AtomicBuffer ring = watchedRing;
        // acquire: what blkback published before this call, as the front end's CPU would see it
        responsesSeenByStorage.add(ring == null ? -1 : ring.getIntVolatile(SringDescriptor.RSP_PROD_OFFSET));
    }

    private HostileBlkfront.Connection connect(final XenbusDevice device)
    {
        await().atMost(WAIT).failFast(() -> !rig.frontendErrors.isEmpty()).until(() ->
            rig.observer.readState(device.backendPath()) == XenbusState.CONNECTED &&
            front.connections.containsKey(device.id()) && front.connections.get(device.id()).connected);
        return front.connections.get(device.id());
    }

    /**
     * Arms {@code rsp_event} for the first response (as a front end about to park does), writes {@link #BATCH}
     * requests with {@code writer}, publishes them with one {@code req_prod} store and waits for every response.
     */
    private void parkedFrontEndPublishesOneBatch(final HostileBlkfront.Connection c, final RequestWriter writer)
    {
        c.front.finalCheckForResponses();
        publishOneBatch(c, writer);
    }

    /** Writes {@link #BATCH} requests with {@code writer}, publishes them with one store and waits for every answer. */
    private void publishOneBatch(final HostileBlkfront.Connection c, final RequestWriter writer)
    {
        watchedRing = c.buffer();
        sendsBefore = dom0Sends();
        final BlkifRequestFlyweight request = new BlkifRequestFlyweight();
        for (int i = 0; i < BATCH; i++)
        {
            final int slot = c.front.claimRequest();
            c.buffer().setMemory(slot, 112, (byte)0);
            writer.write(request.wrap(c.buffer(), slot), i);
        }
        c.push(rig.guest);
        for (int answered = 0; answered < BATCH; )
        {
            final int taken = answered;
            await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                .until(() -> c.front.pollResponses() > 0 || taken == BATCH);
            while (c.front.pollResponses() > 0)
            {
                final long[] response = HostileBlkfront.response(c.buffer(), c.front.takeResponse());
                assertEquals(BLKIF_RSP_OKAY, response[2], "request " + response[0]);
                answered++;
            }
        }
    }

    @FunctionalInterface
    private interface RequestWriter
    {
        void write(BlkifRequestFlyweight request, int index);
    }

    @Test
    void theTimeTheRingSitsEmptyIsCountedAsItPasses() throws InterruptedException
    {
        final long attachedNs = System.nanoTime();
        final XenbusDevice device = rig.attach("6", notingStorage(), null);
        final HostileBlkfront.Connection c = connect(device);
        final BlkbackCounters counters = rig.blkback.ring(device).counters();
        // connected and idle: once blkback has found the ring empty, the spell grows while nothing arrives
        assertEmptyTimeGrowsWhileIdle(counters, 0, 60);
        assertEquals(0, counters.emptyRingSpells(), "no request yet, so no spell has ended");
        publishOneBatch(c, (request, i) -> request.header(BLKIF_OP_FLUSH_DISKCACHE, 0, 0).id(i));
        assertTrue(counters.emptyRingSpells() >= 1, "the batch ended the spell: " + counters);
        final long afterBatchNs = counters.emptyRingNs();
        // answered and idle again: a new spell, counted from where the first left off
        assertEmptyTimeGrowsWhileIdle(counters, afterBatchNs, 30);
        final long spells = counters.emptyRingSpells();
        publishOneBatch(c, (request, i) -> request.header(BLKIF_OP_FLUSH_DISKCACHE, 0, 0).id(i));
        assertTrue(counters.emptyRingSpells() > spells, counters.toString());
        // never more than the time since the device was attached, before its ring could first be polled
        assertTrue(counters.emptyRingNs() <= System.nanoTime() - attachedNs, counters.toString());
    }

    /**
     * Waits until the ring's empty time moves past {@code fromNs} (blkback has polled it empty), then checks it grows
     * by at least the {@code sleepMs} slept with nothing published.
     */
    private static void assertEmptyTimeGrowsWhileIdle(
        final BlkbackCounters counters, final long fromNs, final long sleepMs) throws InterruptedException
    {
        await().atMost(WAIT).until(() -> counters.emptyRingNs() > fromNs);
        final long beforeNs = counters.emptyRingNs();
        final long sleptFromNs = System.nanoTime();
        Thread.sleep(sleepMs);
        final long sleptNs = System.nanoTime() - sleptFromNs;
        final long grownNs = counters.emptyRingNs() - beforeNs;
        assertTrue(grownNs >= sleepMs * 1_000_000L, "grew " + grownNs + " ns in " + sleptNs + " ns: " + counters);
    }

    @Test
    void amongSmallRequestsAParkedFrontEndIsToldWithTheFirstGroup()
    {
        final HostileBlkfront.Connection c = connect(rig.attach("1", notingStorage(), null));
        parkedFrontEndPublishesOneBatch(c, (request, i) -> request.header(BLKIF_OP_FLUSH_DISKCACHE, 0, 0).id(i));

        assertEquals(BATCH, sendsSeenByStorage.size());
        for (int i = 0; i < BATCH; i++)
        {
            // the batch ends after the first group's responses, with the one event the front end asked for
            assertEquals(i < BlkbackRing.RESPONSE_CHECK_REQUESTS ? 0 : 1, sendsSeenByStorage.get(i),
                "events sent before request " + i + ": " + sendsSeenByStorage);
        }
        assertEquals(1, dom0Sends() - sendsBefore, "one event: the front end armed rsp_event once");
    }

    @Test
    void responsesToOnePageRequestsArePublishedInGroupsAndToLargerOnesAtOnce()
    {
        final long[] pages = rig.allocateGuestPages(2);
        final int[] refs = new int[2];
        synchronized (rig.grants)
        {
            refs[0] = rig.grants.grantAccess(0, pages[0], false);
            refs[1] = rig.grants.grantAccess(0, pages[1], false);
        }
        final HostileBlkfront.Connection c = connect(rig.attach("3", notingStorage(), null));
        // a polling front end (no rsp_event armed): one batch of flushes, then one of two-page reads
        publishOneBatch(c, (request, i) -> request.header(BLKIF_OP_FLUSH_DISKCACHE, 0, 0).id(i));
        assertEquals(BATCH, responsesSeenByStorage.size());
        int previous = 0;
        for (int i = 0; i < BATCH; i++)
        {
            // fast storage fills groups of up to 16, and the hold time ends one early (as this storage, which notes
            // each call, is slow enough to) only at a check; so what is published is a multiple of the check that
            // leaves fewer than 16 held, and it never goes back
            final int published = responsesSeenByStorage.get(i);
            final String seen = "responses published before request " + i + ": " + responsesSeenByStorage;
            assertEquals(0, published % BlkbackRing.RESPONSE_CHECK_REQUESTS, seen);
            assertTrue(published <= i && i - published < BlkbackRing.RESPONSE_GROUP_REQUESTS, seen);
            assertTrue(published >= previous, seen);
            previous = published;
        }

        responsesSeenByStorage.clear();
        publishOneBatch(c, (request, i) -> request.header(BLKIF_OP_READ, 2, 0).id(i)
            .sectorNumber(16L * i).segment(0, refs[0], 0, 7).segment(1, refs[1], 0, 7));
        for (int i = 0; i < BATCH; i++)
        {
            assertEquals(BATCH + i, responsesSeenByStorage.get(i),
                "responses published before request " + i + ": " + responsesSeenByStorage);
        }
        assertEquals(0, dom0Sends() - sendsBefore, "the front end asked for no event");
    }

    @Test
    void responsesToSlowStorageGoOutEveryCheckNotHeldForAFullGroup()
    {
        final HostileBlkfront.Connection c = connect(rig.attach("4", notingStorage(), null));
        // each flush takes far longer than a group may be held: every check finds the group overdue
        slowFlushNs = 20 * BlkbackRing.RESPONSE_HOLD_NS;
        publishOneBatch(c, (request, i) -> request.header(BLKIF_OP_FLUSH_DISKCACHE, 0, 0).id(i));
        final int check = BlkbackRing.RESPONSE_CHECK_REQUESTS;
        assertEquals(BATCH, responsesSeenByStorage.size());
        for (int i = 0; i < BATCH; i++)
        {
            assertEquals(i / check * check, responsesSeenByStorage.get(i),
                "responses published before request " + i + ": " + responsesSeenByStorage);
        }
    }

    @Test
    void fastResponsesWaitForAtMostACheckOfSlowRequests()
    {
        final HostileBlkfront.Connection c = connect(rig.attach("5", notingStorage(), null));
        // requests 0-3 are served at once, then storage turns slow: 4 and 5 take far longer than the hold
        assertEquals(2, BlkbackRing.RESPONSE_CHECK_REQUESTS, "the check this test pins");
        slowFromCall = 4;
        slowFlushNs = 20 * BlkbackRing.RESPONSE_HOLD_NS;
        publishOneBatch(c, (request, i) -> request.header(BLKIF_OP_FLUSH_DISKCACHE, 0, 0).id(i));
        // whatever the checks before decided (held, or sent early by a slow machine), the check after the two slow
        // requests sends everything: the fast responses waited for no more than those two (checks every 4 held
        // them behind four)
        final int first = responsesSeenByStorage.get(0);
        assertEquals(first + 6, responsesSeenByStorage.get(6),
            "responses published before request 6: " + responsesSeenByStorage);
    }

    @Test
    void aParkedFrontEndIsToldOfTheLastBatchThoughNoRequestFollowsIt()
    {
        final HostileBlkfront.Connection c = connect(rig.attach("7", notingStorage(), null));
        // the front end arms rsp_event for its next response (it is about to park), then sends one request and no
        // other: no later batch comes to take the decision, so the duty cycle that finds the ring empty must
        c.front.finalCheckForResponses();
        sendsBefore = dom0Sends();
        final int slot = c.front.claimRequest();
        c.buffer().setMemory(slot, 112, (byte)0);
        new BlkifRequestFlyweight().wrap(c.buffer(), slot).header(BLKIF_OP_FLUSH_DISKCACHE, 0, 0).id(7);
        c.push(rig.guest);

        await().atMost(WAIT).until(() -> dom0Sends() - sendsBefore == 1);
        assertEquals(1, c.front.pollResponses());
        assertEquals(7, HostileBlkfront.response(c.buffer(), c.front.takeResponse())[0]);
    }

    @Test
    void afterARequestOfMoreThanAPageAParkedFrontEndIsToldAtOnce()
    {
        final long[] pages = rig.allocateGuestPages(2);
        final int[] refs = new int[2];
        synchronized (rig.grants)
        {
            refs[0] = rig.grants.grantAccess(0, pages[0], false);
            refs[1] = rig.grants.grantAccess(0, pages[1], false);
        }
        final HostileBlkfront.Connection c = connect(rig.attach("2", notingStorage(), null));
        parkedFrontEndPublishesOneBatch(c, (request, i) -> request.header(BLKIF_OP_READ, 2, 0).id(i)
            .sectorNumber(16L * i).segment(0, refs[0], 0, 7).segment(1, refs[1], 0, 7));

        assertEquals(BATCH, sendsSeenByStorage.size(), "one storage call per two-page request");
        assertEquals(0, sendsSeenByStorage.get(0));
        for (int i = 1; i < BATCH; i++)
        {
            assertEquals(1, sendsSeenByStorage.get(i), "events sent before request " + i + ": " + sendsSeenByStorage);
        }
        assertEquals(1, dom0Sends() - sendsBefore);
    }
}
