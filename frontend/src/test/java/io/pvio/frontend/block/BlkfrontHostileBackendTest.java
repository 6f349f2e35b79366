package io.pvio.frontend.block;

import io.pvio.backend.block.BlkbackFeatures;
import io.pvio.ring.RingOverflowException;
import io.pvio.ring.SringDescriptor;
import io.pvio.ring.blkif.BlkifAbi;
import io.pvio.ring.blkif.BlkifRequest;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_READ;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_WRITE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_ERROR;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * blkfront against a back end that lies in its responses: an id never issued, an id answered twice, the wrong
 * operation, a bogus producer index. The front end never completes a request with an answer that is not its own:
 * the ring is dropped, what it held fails (no caller hangs), and the grants given for it are ended.
 */
class BlkfrontHostileBackendTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    private BlockRig rig;
    private HostileBlkback back;
    private BlkfrontDevice device;
    private final BlkifRequest copy = new BlkifRequest(0);

    @BeforeEach
    void setUp()
    {
        rig = new BlockRig(BlkbackFeatures.defaults(), 1, hypercalls -> back = new HostileBlkback(hypercalls));
        device = rig.attach("5", new io.pvio.backend.block.MemoryStorage(8), null);
    }

    @AfterEach
    void tearDown()
    {
        rig.close();
    }

    private HostileBlkback.Connection connection()
    {
        return back.connections.get("5");
    }

    /** Waits for {@code count} requests and copies the last; returns its id. */
    private long takeRequests(final int count)
    {
        final HostileBlkback.Connection c = connection();
        await().atMost(WAIT).until(() -> c.back().pollRequests() >= count);
        long id = -1;
        for (int i = 0; i < count; i++)
        {
            copy.copyFrom(c.back().sharedRing().buffer(), c.back().takeRequest(), BlkifAbi.X86_64);
            id = copy.id();
        }
        return id;
    }

    private void answer(final long id, final int operation, final int status)
    {
        final HostileBlkback.Connection c = connection();
        BlkifAbi.X86_64.writeResponse(c.back().sharedRing().buffer(), c.back().claimResponse(), id, operation, status);
        c.back().pushResponses();
        // the front end sleeps until an event (its rsp_event is armed): kick it, whatever the ring says
        back.notifyFrontend(c);
    }

    private static int failureStatus(final CompletableFuture<Void> request) throws Exception
    {
        final ExecutionException failed =
            assertThrows(ExecutionException.class, () -> request.get(20, TimeUnit.SECONDS));
        return assertInstanceOf(BlockIoException.class, failed.getCause()).status();
    }

    @Test
    void aResponseForAnIdNeverIssuedFailsTheRingNotSomeoneElsesRequest() throws Exception
    {
        final int freeRefs = rig.grants.freeRefCount();
        final BlockBuffer page = BlockBuffer.ofPages(rig.allocateGuestPages(1));
        final CompletableFuture<Void> read = device.read(0, page);
        final long id = takeRequests(1);
        answer(id + 7, BLKIF_OP_READ, BLKIF_RSP_OKAY);
        assertEquals(BLKIF_RSP_ERROR, failureStatus(read));
        assertTrue(rig.errors.stream().anyMatch(e -> e.getMessage().contains("not in flight")), rig.errors::toString);
        // the request's grant was ended (only the ring's own page and the indirect pages, if any, remain)
        await().atMost(WAIT).until(() -> rig.grants.freeRefCount() >= freeRefs);
    }

    @Test
    void theWrongOperationOrAnIdAnsweredTwiceIsRefused() throws Exception
    {
        final BlockBuffer page = BlockBuffer.ofPages(rig.allocateGuestPages(1));
        final CompletableFuture<Void> first = device.write(0, page);
        final CompletableFuture<Void> second = device.write(8, page);
        takeRequests(2);
        final long secondId = copy.id();
        answer(secondId, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
        second.get(20, TimeUnit.SECONDS);
        answer(secondId, BLKIF_OP_WRITE, BLKIF_RSP_OKAY); // answered again
        assertEquals(BLKIF_RSP_ERROR, failureStatus(first));
        assertFalse(second.isCompletedExceptionally());
    }

    @Test
    void aWrongOperationIsRefused() throws Exception
    {
        final CompletableFuture<Void> read = device.read(0, BlockBuffer.ofPages(rig.allocateGuestPages(1)));
        answer(takeRequests(1), BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
        assertEquals(BLKIF_RSP_ERROR, failureStatus(read));
    }

    @Test
    void aBogusResponseProducerIndexFailsWhatTheRingHeld() throws Exception
    {
        final CompletableFuture<Void> read = device.read(0, BlockBuffer.ofPages(rig.allocateGuestPages(1)));
        takeRequests(1);
        final AtomicBuffer ring = connection().back().sharedRing().buffer();
        ring.putIntVolatile(SringDescriptor.RSP_PROD_OFFSET, 1000);
        back.notifyFrontend(connection());
        assertEquals(BLKIF_RSP_ERROR, failureStatus(read));
        assertTrue(rig.errors.stream().anyMatch(e -> e instanceof RingOverflowException), rig.errors::toString);
    }

    @Test
    void aBackEndThatKeepsEveryGrantMappedFailsWhatCannotBeIssuedInsteadOfStalling() throws Exception
    {
        // no feature-persistent offered, yet the back end keeps every grant it is given mapped
        final HostileBlkback.Connection c = connection();
        final List<Integer> handles = new ArrayList<>();
        final BlockBuffer pages = BlockBuffer.ofPages(rig.allocateGuestPages(11));
        CompletableFuture<Void> read = null;
        int answered = 0;
        for (int i = 0; i < 1000; i++)
        {
            read = device.read(0, pages);
            final CompletableFuture<Void> submitted = read;
            await().atMost(WAIT).pollInterval(Duration.ofMillis(1))
                .until(() -> submitted.isDone() || c.back().pollRequests() > 0);
            if (submitted.isDone())
            {
                break;
            }
            copy.copyFrom(c.back().sharedRing().buffer(), c.back().takeRequest(), BlkifAbi.X86_64);
            final long id = copy.id();
            for (int segment = 0; segment < copy.segmentCount(); segment++)
            {
                final int handle = rig.hv.dom0Hypercalls().grantTable().mapGrantRef(
                    rig.guest.domid(), copy.segmentGref(segment), false);
                assertTrue(handle >= 0, "mapped: " + handle);
                handles.add(handle);
            }
            answer(id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
            read.get(20, TimeUnit.SECONDS);
            answered++;
        }
        // the ring's grant refs are all kept, nothing is in flight: the request fails, it does not wait for ever
        assertTrue(answered > 0 && answered < 1000, "answered " + answered);
        assertEquals(BLKIF_RSP_ERROR, failureStatus(read));
        assertTrue(rig.errors.stream().anyMatch(e -> e.getMessage().contains("keeps every grant reference")),
            rig.errors::toString);

        // once the back end lets go, the references are revoked and requests go out again
        for (final int handle : handles)
        {
            rig.hv.dom0Hypercalls().grantTable().unmapGrantRef(handle);
        }
        final CompletableFuture<Void> again = device.read(0, pages);
        answer(takeRequests(1), BLKIF_OP_READ, BLKIF_RSP_OKAY);
        again.get(20, TimeUnit.SECONDS);
    }
}
