package io.pvio.frontend.block;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_DISCARD;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_FLUSH_DISKCACHE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_READ;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_WRITE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_ERROR;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;

/**
 * A guest's block device over blkfront: asynchronous read, write, flush and discard by 512-byte sector, into and
 * out of {@link BlockBuffer}s in guest memory (up to 11 pages per request, or up to the back end's
 * {@code feature-max-indirect-segments} and at most {@link #MAX_INDIRECT_SEGMENTS}; a larger request completes
 * with {@code EOPNOTSUPP}), completing a {@link CompletableFuture} or a {@link BlockCompletion}.
 * Any thread may submit; requests wait in a queue until the ring has room, so up to a ring's worth are in flight
 * (the queue depth, {@link #queueDepth()}). Completions run on the device's agent thread.
 * <p>
 * The device outlives its connections. While the back end is away (it closed, or restarted) requests wait; when it
 * comes back every request that had not completed is issued again on the new ring, in submission order, so no
 * acknowledged write is lost and no caller is left waiting. Only removal of the device fails
 * what is left, with {@code BLKIF_RSP_ERROR}. A connection whose rings the agent cannot take over (out of memory
 * building one, or the error handler throwing as it is told of a shortfall) counts as the back end being away: its
 * rings and pages are given back, the error handler is told, and requests wait for the next connection, which the
 * back end's next restart brings (the bus does not ask for one itself).
 * <p>
 * The work is done by its agent ({@link BlkfrontEngine}), which {@link BlkfrontXenbus} runs on its own thread.
 */
public final class BlkfrontDevice
{
    /** The most segments blkfront puts in one indirect request (1 MiB), whatever the back end offers. */
    public static final int MAX_INDIRECT_SEGMENTS = 256;

    /** Requests that may wait to be issued, across all submitters. */
    public static final int SUBMISSION_QUEUE_CAPACITY = 4096;

    private final BlkfrontEngine engine;
    /** Buffers from {@link #allocateBuffer} not yet freed, by identity (a {@link BlockBuffer} owns its gfns array). */
    private final Map<BlockBuffer, BlkfrontRegisteredBuffer> allocated =
        Collections.synchronizedMap(new IdentityHashMap<>());

    BlkfrontDevice(final BlkfrontEngine engine)
    {
        this.engine = engine;
    }

    /** The agent to run; control commands go to it too. */
    BlkfrontEngine engine()
    {
        return engine;
    }

    // ---- the block device API (any thread) ----

    /** Reads {@code buffer.sectorCount()} sectors from {@code sector} into {@code buffer}. */
    public CompletableFuture<Void> read(final long sector, final BlockBuffer buffer)
    {
        return future(BLKIF_OP_READ, sector, buffer, 0);
    }

    public void read(final long sector, final BlockBuffer buffer, final BlockCompletion completion)
    {
        submit(BLKIF_OP_READ, sector, buffer, 0, completion);
    }

    /** Writes {@code buffer} to the sectors from {@code sector}. */
    public CompletableFuture<Void> write(final long sector, final BlockBuffer buffer)
    {
        return future(BLKIF_OP_WRITE, sector, buffer, 0);
    }

    public void write(final long sector, final BlockBuffer buffer, final BlockCompletion completion)
    {
        submit(BLKIF_OP_WRITE, sector, buffer, 0, completion);
    }

    /**
     * Makes every write completed before it durable ({@code BLKIF_OP_FLUSH_DISKCACHE}); completes with
     * {@code EOPNOTSUPP} if the back end offers no flush.
     */
    public CompletableFuture<Void> flush()
    {
        return future(BLKIF_OP_FLUSH_DISKCACHE, 0, null, 0);
    }

    public void flush(final BlockCompletion completion)
    {
        submit(BLKIF_OP_FLUSH_DISKCACHE, 0, null, 0, completion);
    }

    /** Discards {@code sectorCount} sectors from {@code sector}; {@code EOPNOTSUPP} if the back end offers none. */
    public CompletableFuture<Void> discard(final long sector, final long sectorCount)
    {
        return future(BLKIF_OP_DISCARD, sector, null, sectorCount);
    }

    public void discard(final long sector, final long sectorCount, final BlockCompletion completion)
    {
        submit(BLKIF_OP_DISCARD, sector, null, sectorCount, completion);
    }

    // ---- registered buffers (any thread) ----

    /**
     * A buffer of {@code pageCount} whole pages of new guest memory, granted writable to the back end for as long as
     * it lives: requests on it (or on any {@link BlockBuffer} made only of its pages) carry those grants as they are,
     * so blkfront copies nothing and grants nothing per request, and a back end with {@code feature-persistent} maps
     * them once and moves the data straight between them and its disk. The pages are machine-contiguous when the
     * guest has a free run of memory, so a large request can be one I/O in the back end. Reach the bytes through the
     * guest's memory ({@code GuestMemory.frame(buffer.gfn(i))}). Give it back with {@link #freeBuffer} once no request
     * on it is in flight.
     *
     * @param pageCount 1..{@link #MAX_INDIRECT_SEGMENTS}.
     * @throws IllegalArgumentException if {@code pageCount} is out of range.
     * @throws IllegalStateException    if the guest is short of memory or grant references (nothing is kept), or the
     *                                  device is closed.
     */
    public BlockBuffer allocateBuffer(final int pageCount)
    {
        final BlkfrontRegisteredBuffer registered = engine.allocateBuffer(pageCount);
        allocated.put(registered.buffer(), registered);
        return registered.buffer();
    }

    /**
     * Gives back a buffer from {@link #allocateBuffer}: nothing issued afterwards carries its grants, which are ended
     * (once the back end lets go of them: with {@code feature-persistent} it keeps them mapped until it disconnects)
     * and the pages returned to the hypervisor. A request on it still in flight may fail. Closing the device gives
     * back every buffer not freed.
     *
     * @throws IllegalArgumentException if {@code buffer} is not one this device allocated, or was freed already.
     */
    public void freeBuffer(final BlockBuffer buffer)
    {
        final BlkfrontRegisteredBuffer registered = allocated.remove(buffer);
        if (registered == null)
        {
            throw new IllegalArgumentException("not a buffer this device allocated, or freed already: " + buffer);
        }
        try
        {
            engine.freeBuffer(registered);
        }
        catch (final RuntimeException ex)
        {
            allocated.put(buffer, registered); // not handed to the agent: still the caller's, to free again
            throw ex;
        }
    }

    /** Whether a back end is connected now. */
    public boolean isConnected()
    {
        return engine.geometry() != null;
    }

    /** Disk size in 512-byte sectors, or -1 before the first connection. */
    public long sectorCount()
    {
        final BlkfrontGeometry current = engine.geometry();
        return current == null ? -1 : current.sectorCount();
    }

    public boolean isReadOnly()
    {
        final BlkfrontGeometry current = engine.geometry();
        return current != null && current.isReadOnly();
    }

    /** Requests the current ring holds at once (0 before the first connection). */
    public int queueDepth()
    {
        return engine.queueDepth();
    }

    /** The most requests ever in flight on a ring at once. */
    public int inFlightHighWatermark()
    {
        return engine.inFlightHighWatermark();
    }

    /** Rings this device has been attached to (reconnects included). */
    public long connections()
    {
        return engine.connections();
    }

    private CompletableFuture<Void> future(
        final int operation, final long sector, final BlockBuffer buffer, final long discardSectors)
    {
        final CompletableFuture<Void> future = new CompletableFuture<>();
        submit(operation, sector, buffer, discardSectors, status ->
        {
            if (status == BLKIF_RSP_OKAY)
            {
                future.complete(null);
            }
            else
            {
                future.completeExceptionally(new BlockIoException(operation, sector, status));
            }
        });
        return future;
    }

    private void submit(
        final int operation,
        final long sector,
        final BlockBuffer buffer,
        final long discardSectors,
        final BlockCompletion completion)
    {
        if (buffer != null && buffer.pageCount() > MAX_INDIRECT_SEGMENTS)
        {
            throw new IllegalArgumentException("at most " + MAX_INDIRECT_SEGMENTS + " pages per request: " +
                buffer.pageCount());
        }
        final BlkfrontRequest request = engine.claimRequest(operation, sector, buffer, discardSectors, completion);
        // this use's ticket, taken before the agent can see (and, completing it, recycle) the request
        final long ticket = request.ticket();
        if (!engine.offer(request))
        {
            throw new IllegalStateException(
                engine.name() + ": " + SUBMISSION_QUEUE_CAPACITY + " requests already waiting");
        }
        if (engine.isClosed())
        {
            // the device is gone (its agent stopped): fail it here unless the agent's last drain got to it first
            BlkfrontRequestPool.completeOnce(request, ticket, BLKIF_RSP_ERROR, engine.errorHandler());
        }
    }

    @Override
    public String toString()
    {
        return "BlkfrontDevice{" + engine.name() + ", connected=" + isConnected() + ", sectors=" + sectorCount() + "}";
    }
}
