package io.pvio.examples.bench.hypervisor;

import io.pvio.backend.block.BlkbackBouncePages;
import io.pvio.backend.block.BlkbackFeatures;
import io.pvio.backend.block.BlkbackGeometry;
import io.pvio.backend.block.BlkbackPersistentGrantBudget;
import io.pvio.backend.block.BlkbackRing;
import io.pvio.backend.block.MemoryStorage;
import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.domain.VcpuScheduling;
import io.pvio.hypervisor.grant.GrantStatus;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.GrantTableOp;
import io.pvio.hypervisor.memory.GuestMemory;
import io.pvio.hypervisor.memory.MachineMemory;
import io.pvio.ring.BackRing;
import io.pvio.ring.FrontRing;
import io.pvio.ring.SharedRing;
import io.pvio.ring.blkif.BlkifAbi;
import io.pvio.ring.blkif.BlkifRequestFlyweight;
import io.pvio.ring.blkif.BlkifResponseFlyweight;
import org.agrona.concurrent.AtomicBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_READ;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;
import static io.pvio.ring.blkif.BlkifConstants.SECTOR_SIZE_BYTES;

/**
 * blkback's data path on one thread: a {@link BlkbackRing} over a memory disk, serving a one-page ring that a domU
 * (MANUAL, never run) has granted dom0, for a batch of {@link #BATCH_REQUESTS} 4 KiB reads at a time. The benchmark
 * thread plays both ends: it writes the batch's requests into the ring as a front end would (one inline segment
 * each, naming one of the domU's {@link #BATCH_REQUESTS} data pages, granted writable once, as blkfront's registered
 * buffers are), publishes them, runs the ring agent's duty cycle until every request is answered, and consumes the
 * responses. blkback keeps the data pages mapped ({@code feature-persistent}) and reads the disk straight into them,
 * as in {@code pvio bench block}. Nothing crosses between CPUs and no thread waits, so what the ring costs per
 * request beyond the copy shows without the scheduling noise of the two-thread path.
 * <p>
 * The {@link Path#DIRECT} configuration does the same copies from the same disk into the same pages (dom0's own
 * mappings of their grants) with no ring: the storage call alone, which is what native I/O costs on the same disk.
 * <p>
 * Offsets are 4 KiB-aligned pages of the disk drawn by SplitMix64 from a fixed seed, the same sequence on both
 * paths. {@link #close()} fails if any request was answered with an error or blkback reported one.
 */
public final class BlkbackRequests implements AutoCloseable
{
    /** Requests per batch: a one-page blkif ring's worth (queue depth 32). */
    public static final int BATCH_REQUESTS = 32;
    /** The largest memory disk, in MiB. */
    public static final int MAX_DISK_MIB = 1024;
    /** The domU's ring page, then its data pages (after shared_info and its grant frame). */
    static final long RING_GFN = GrantedPages.FIRST_DATA_GFN;
    static final long FIRST_DATA_PAGE_GFN = RING_GFN + 1;
    private static final int SECTORS_PER_PAGE = MachineMemory.PAGE_SIZE_BYTES / SECTOR_SIZE_BYTES;
    private static final int OFFSET_SEQUENCE = 4096;
    private static final long SEED = 42;

    /** How the reads are done. */
    public enum Path
    {
        /** Through the ring: request, blkback's duty cycle (copy, validate, kept grant, storage call), response. */
        BLKBACK,
        /** The storage call alone, into the same pages. */
        DIRECT
    }

    private final BenchHypervisor hypervisor;
    private final BenchGuest guest;
    private final Path path;
    private final int diskPages;
    private final MemoryStorage disk;
    private final int[] dataRefs = new int[BATCH_REQUESTS];
    private final long[] pageOffsets = new long[OFFSET_SEQUENCE];
    private final BlkifRequestFlyweight request = new BlkifRequestFlyweight();
    private final BlkifResponseFlyweight response = new BlkifResponseFlyweight();
    private int nextOffset;
    /** Test hook ({@link #breakNextBatch}): the next batch names sectors beyond the disk. */
    private boolean outsideDisk;
    private long errorResponses;
    private volatile Throwable blkbackError;
    // BLKBACK
    private FrontRing front;
    private AtomicBuffer frontBuffer;
    private BlkbackRing ring;
    private BlkbackBouncePages bounce;
    // DIRECT
    private ByteBuffer[] directPages;

    private BlkbackRequests(final Path path, final int diskMib)
    {
        if (diskMib < 1 || diskMib > MAX_DISK_MIB)
        {
            throw new IllegalArgumentException("disk size must be 1.." + MAX_DISK_MIB + " MiB: " + diskMib);
        }
        this.path = path;
        this.diskPages = diskMib * (1 << 20) / MachineMemory.PAGE_SIZE_BYTES;
        this.disk = new MemoryStorage((long)diskPages * SECTORS_PER_PAGE);
        hypervisor = BenchHypervisor.boot();
        try
        {
            guest = hypervisor.createGuest(new DomainConfig()
                .name("blkfront")
                .memoryPages((int)FIRST_DATA_PAGE_GFN + BATCH_REQUESTS)
                .vcpuScheduling(VcpuScheduling.MANUAL), false);
            final GuestMemory guestMemory = guest.domain().guestMemory();
            final GrantAccess grants = new GrantAccess(guestMemory, guest.domain().startInfo());
            for (int i = 0; i < BATCH_REQUESTS; i++)
            {
                dataRefs[i] = grants.grantAccess(DomainId.DOM0, FIRST_DATA_PAGE_GFN + i, false);
            }
            fillDisk();
            long state = SEED;
            for (int i = 0; i < OFFSET_SEQUENCE; i++)
            {
                state += 0x9E3779B97F4A7C15L;
                pageOffsets[i] = Long.remainderUnsigned(mix(state), diskPages);
            }
            if (path == Path.BLKBACK)
            {
                startRing(guestMemory, grants);
            }
            else
            {
                mapDirect();
            }
        }
        catch (final Throwable ex)
        {
            try
            {
                hypervisor.close();
            }
            catch (final RuntimeException closeFailure)
            {
                ex.addSuppressed(closeFailure);
            }
            throw ex;
        }
    }

    /**
     * Boots a hypervisor, a domU with its ring and pages granted, and (for {@link Path#BLKBACK}) blkback's ring, over
     * a memory disk of {@code diskMib} MiB: 1 MiB stays in the CPU's caches, so the figures show the ring's own
     * work; 64 MiB does not, so every copy reads from memory, as from a page cache larger than the caches.
     */
    public static BlkbackRequests start(final Path path, final int diskMib)
    {
        return new BlkbackRequests(path, diskMib);
    }

    private void startRing(final GuestMemory guestMemory, final GrantAccess grants)
    {
        final BlkifAbi abi = BlkifAbi.X86_64;
        frontBuffer = guestMemory.frame(RING_GFN);
        front = FrontRing.initialise(SharedRing.ofPageOrder(frontBuffer, 0, abi.layout()));
        final int ringRef = grants.grantAccess(DomainId.DOM0, RING_GFN, false);
        final GrantTableOp gnttab = hypervisor.dom0Hypercalls().grantTable();
        final int ringHandle = gnttab.mapGrantRef(guest.domid(), ringRef, false);
        if (ringHandle < 0)
        {
            throw new IllegalStateException("dom0 could not map the ring: " + GrantStatus.message(ringHandle));
        }
        final BackRing back = BackRing.attach(SharedRing.ofPageOrder(gnttab.writableView(ringHandle), 0,
            abi.layout()));
        // the port blkback notifies on (the domU never runs, so an event only sets its pending bit)
        final int guestPort = guest.domain().hypercalls().eventChannel().allocUnbound(DomainId.DOM0);
        final int localPort = hypervisor.dom0Hypercalls().eventChannel().bindInterdomain(guest.domid(), guestPort);
        final BlkbackFeatures defaults = BlkbackFeatures.defaults();
        // inline requests only (4 KiB is one segment): no indirect pages to bounce
        final BlkbackFeatures features = new BlkbackFeatures(defaults.flushCache(), defaults.barrier(),
            defaults.discard(), true, 0, 1, 0);
        bounce = BlkbackBouncePages.claim(hypervisor.dom0Hypercalls(), hypervisor.dom0().guestMemory(),
            BlkbackRing.bounceFramesNeeded(features));
        ring = new BlkbackRing("blkback-bench", back, abi, disk,
            new BlkbackGeometry(disk.sectorCount(), SECTOR_SIZE_BYTES, 0), features, hypervisor.dom0Hypercalls(),
            guest.domid(), localPort, bounce, true, new BlkbackPersistentGrantBudget(2 * BATCH_REQUESTS),
            error -> blkbackError = error);
    }

    private void mapDirect()
    {
        final GrantTableOp gnttab = hypervisor.dom0Hypercalls().grantTable();
        directPages = new ByteBuffer[BATCH_REQUESTS];
        for (int i = 0; i < BATCH_REQUESTS; i++)
        {
            final int handle = gnttab.mapGrantRef(guest.domid(), dataRefs[i], false);
            if (handle < 0)
            {
                throw new IllegalStateException("dom0 could not map page " + i + ": " + GrantStatus.message(handle));
            }
            directPages[i] = gnttab.deviceBuffer(new int[] {handle}, 1);
        }
    }

    private void fillDisk()
    {
        final ByteBuffer page = ByteBuffer.allocate(MachineMemory.PAGE_SIZE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int p = 0; p < diskPages; p++)
        {
            for (int offset = 0; offset < page.capacity(); offset += Long.BYTES)
            {
                page.putLong(offset, mix((long)p << 12 | offset));
            }
            disk.write((long)p * MachineMemory.PAGE_SIZE_BYTES, page, 0, page.capacity());
        }
    }

    /** SplitMix64's finaliser. */
    private static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Reads the next {@link #BATCH_REQUESTS} pages of the offset sequence into the domU's data pages (request i into
     * page i). Allocation-free.
     *
     * @return the requests answered (always {@link #BATCH_REQUESTS}).
     */
    public int readBatch()
    {
        return path == Path.BLKBACK ? readThroughRing() : readDirect();
    }

    private int readThroughRing()
    {
        final long firstPage = outsideDisk ? diskPages : 0;
        outsideDisk = false;
        for (int i = 0; i < BATCH_REQUESTS; i++)
        {
            final long page = firstPage + nextPage();
            request.wrap(frontBuffer, front.claimRequest())
                .header(BLKIF_OP_READ, 1, 0)
                .id(i)
                .sectorNumber(page * SECTORS_PER_PAGE)
                .segment(0, dataRefs[i], 0, SECTORS_PER_PAGE - 1);
        }
        // release store of req_prod; blkback is driven here, so no kick
        front.pushRequests();
        int answered = 0;
        while (answered < BATCH_REQUESTS)
        {
            final int work = ring.doWork();
            if (work == 0 && ring.state() != BlkbackRing.State.RUNNING)
            {
                throw new IllegalStateException("blkback's ring stopped: " + ring.fault());
            }
            answered += work;
        }
        int taken = 0;
        while (front.pollResponses() > 0)
        {
            if (response.wrap(frontBuffer, front.takeResponse()).status() != BLKIF_RSP_OKAY)
            {
                errorResponses++;
            }
            taken++;
        }
        return taken;
    }

    private int readDirect()
    {
        for (int i = 0; i < BATCH_REQUESTS; i++)
        {
            disk.read(nextPage() * MachineMemory.PAGE_SIZE_BYTES, directPages[i], 0, MachineMemory.PAGE_SIZE_BYTES);
        }
        return BATCH_REQUESTS;
    }

    private long nextPage()
    {
        final long page = pageOffsets[nextOffset];
        nextOffset = (nextOffset + 1) % OFFSET_SEQUENCE;
        return page;
    }

    /** For tests: the next batch through the ring reads beyond the disk, so blkback answers each with an error. */
    void breakNextBatch()
    {
        outsideDisk = true;
    }

    /** The byte at {@code offset} of disk page {@code page}, as the disk was filled. */
    static byte diskByte(final long page, final int offset)
    {
        return (byte)(mix(page << 12 | (offset & ~(Long.BYTES - 1))) >>> (8 * (offset & (Long.BYTES - 1))));
    }

    /** The disk page the {@code index}-th request (from the start) reads. */
    long pageOfRequest(final int index)
    {
        return pageOffsets[index % OFFSET_SEQUENCE];
    }

    /** The domU's data page {@code i}: where request {@code i} of a batch lands. */
    AtomicBuffer dataPage(final int i)
    {
        return guest.domain().guestMemory().frame(FIRST_DATA_PAGE_GFN + i);
    }

    /** blkback's ring ({@link Path#BLKBACK}; {@code null} on {@link Path#DIRECT}), driven by {@link #readBatch}. */
    BlkbackRing ring()
    {
        return ring;
    }

    /** Requests blkback answered (0 on {@link Path#DIRECT}). */
    long blkbackRequests()
    {
        return ring == null ? 0 : ring.counters().requests();
    }

    /**
     * Closes the ring and the hypervisor.
     *
     * @throws IllegalStateException if a request was answered with an error or blkback reported one: the figures of
     *                               the trial would not be of working reads.
     */
    @Override
    public void close()
    {
        try
        {
            if (ring != null)
            {
                ring.onClose();
                bounce.release();
            }
        }
        finally
        {
            hypervisor.close();
        }
        if (errorResponses > 0 || blkbackError != null)
        {
            throw new IllegalStateException(errorResponses + " reads answered with an error; blkback reported: " +
                blkbackError, blkbackError);
        }
    }
}
