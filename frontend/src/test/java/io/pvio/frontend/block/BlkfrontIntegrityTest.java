package io.pvio.frontend.block;

import io.pvio.backend.block.BlkbackCounters;
import io.pvio.backend.block.BlkbackRing;
import io.pvio.backend.block.BlkbackXenbus;
import io.pvio.backend.block.MemoryStorage;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import org.junit.jupiter.api.AfterEach;
import io.pvio.backend.block.BlkbackFeatures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random reads, writes, flushes and discards with many requests in flight, through blkfront, xenbus and blkback,
 * checked against an in-memory model of the disk. Requests in flight together never overlap (blkif orders nothing
 * between them), so the model is exact; each round waits for all its requests before the next.
 */
class BlkfrontIntegrityTest
{
    private static final long DISK_SECTORS = 8192;
    private static final int POOL_PAGES = 320;
    private static final int ROUNDS = 40;

    private BlockRig rig;

    @AfterEach
    void tearDown()
    {
        rig.close();
    }

    /** The back end configurations the same random workload runs against. */
    enum Configuration
    {
        /** One ring, up to 11 pages per request: inline segments only. */
        INLINE(new BlkbackFeatures(true, true, true, false, 0, 1, 0), 1, 11, 0),
        /** One ring, requests of up to 64 pages through indirect segments. */
        INDIRECT(new BlkbackFeatures(true, true, true, false, 64, 1, 0), 1, 64, 0),
        /** Four queues (rings, event channels, back-end agents), with indirect segments. */
        MULTI_QUEUE(new BlkbackFeatures(true, true, true, false, 64, 4, 0), 4, 64, 0),
        /** Persistent grants, inline requests only (no indirect segments), two queues. */
        PERSISTENT(new BlkbackFeatures(true, true, true, true, 0, 2, 0), 2, 11, 0),
        /**
         * Persistent grants for inline and indirect requests, two queues: the data of every request and the indirect
         * pages go through pages both ends keep granted and mapped.
         */
        INDIRECT_PERSISTENT(new BlkbackFeatures(true, true, true, true, 64, 2, 0), 2, 64, 0),
        /**
         * Multi-page rings: the back end offers 16 pages, the front end takes 4 (128 requests per ring), two queues,
         * with indirect segments and persistent grants.
         */
        MULTI_PAGE(new BlkbackFeatures(true, true, true, true, 64, 2, 4), 2, 64, 2),
        /**
         * Every buffer on pages of registered buffers ({@link BlkfrontDevice#allocateBuffer}, of 1 to 64 pages; a
         * request may span two of them), two queues, persistent grants and indirect segments: the back end keeps
         * the buffers' own pages mapped, blkfront's persistent pages carry nothing.
         */
        REGISTERED(new BlkbackFeatures(true, true, true, true, 64, 2, 0), 2, 64, 0, true),
        /** Registered buffers over four queues: each ring's back end maps the same grants. */
        REGISTERED_MULTI_QUEUE(new BlkbackFeatures(true, true, true, true, 64, 4, 0), 4, 64, 0, true);

        final BlkbackFeatures features;
        final int queues;
        final int maxPagesPerRequest;
        final int ringPageOrder;
        /** Whether the buffers are on registered pages rather than plain guest pages. */
        final boolean registered;

        Configuration(
            final BlkbackFeatures features, final int queues, final int maxPagesPerRequest, final int ringPageOrder)
        {
            this(features, queues, maxPagesPerRequest, ringPageOrder, false);
        }

        Configuration(
            final BlkbackFeatures features,
            final int queues,
            final int maxPagesPerRequest,
            final int ringPageOrder,
            final boolean registered)
        {
            this.features = features;
            this.queues = queues;
            this.maxPagesPerRequest = maxPagesPerRequest;
            this.ringPageOrder = ringPageOrder;
            this.registered = registered;
        }
    }

    /**
     * With persistent grants the back end moved every data segment, inline and indirect, through mappings it kept of
     * the front end's persistent pages (and read every indirect page through one), never by grant copy; and it kept
     * no more than the front end's pages per ring. Without, it kept nothing.
     */
    private static void assertPersistentGrantsAsNegotiated(
        final Configuration configuration, final List<BlkbackRing> queues, final int indirects)
    {
        // registered buffers: kept mappings are the buffers' pages (at most the pool) and the indirect pages
        final int maxDataPages = configuration.registered ? POOL_PAGES : Integer.MAX_VALUE;
        long persistentIndirectRequests = 0;
        for (final BlkbackRing queue : queues)
        {
            final BlkbackCounters counters = queue.counters();
            persistentIndirectRequests += counters.persistentIndirectRequests();
            if (!configuration.features.persistent())
            {
                assertEquals(0, queue.persistentGrantsMapped());
                assertEquals(0, counters.persistentSegments(), counters::toString);
                assertTrue(counters.copiedSegments() > 0, counters::toString);
                continue;
            }
            assertEquals(0, counters.copiedSegments(), "nothing grant-copied: " + counters);
            assertTrue(counters.persistentSegments() > 0, counters::toString);
            // the front end's persistent pages on this ring, plus (indirect) one indirect page per id
            final int ids = 32 << configuration.ringPageOrder;
            final int pages = Math.min(maxDataPages,
                BlkfrontPersistentPages.pageCountFor(ids, configuration.maxPagesPerRequest));
            final int indirectPages = configuration.features.maxIndirectSegments() > 0 ? ids : 0;
            assertTrue(queue.persistentGrantsMapped() > 11, "kept: " + queue.persistentGrantsMapped());
            assertTrue(queue.persistentGrantsMapped() <= pages + indirectPages,
                "kept: " + queue.persistentGrantsMapped() + " of " + pages + " + " + indirectPages);
        }
        if (configuration.features.persistent() && configuration.features.maxIndirectSegments() > 0)
        {
            assertEquals(indirects, persistentIndirectRequests, "every indirect request through kept mappings");
        }
        else
        {
            assertEquals(0, persistentIndirectRequests);
        }
    }

    /**
     * {@link #POOL_PAGES} pages from registered buffers of random sizes (1 to {@code maxPages}), end to end: a
     * request on a run of them may span two buffers, and is still on registered pages only.
     */
    private static long[] registeredPool(final BlkfrontDevice device, final int maxPages)
    {
        final Random random = new Random(20261123);
        final long[] pool = new long[POOL_PAGES];
        int filled = 0;
        while (filled < POOL_PAGES)
        {
            final int pages = Math.min(POOL_PAGES - filled, 1 + random.nextInt(random.nextBoolean() ? maxPages : 4));
            final BlockBuffer buffer = device.allocateBuffer(pages);
            System.arraycopy(buffer.gfns(), 0, pool, filled, pages);
            filled += pages;
        }
        return pool;
    }

    /** One operation of a round and what it must see. */
    private record Op(String kind, long sector, BlockBuffer buffer, byte[] expected, CompletableFuture<Void> done)
    {
    }

    @ParameterizedTest
    @EnumSource(Configuration.class)
    void randomOperationsManyInFlightMatchTheModel(final Configuration configuration) throws Exception
    {
        rig = new BlockRig(configuration.features, configuration.queues, configuration.ringPageOrder);
        final MemoryStorage disk = new MemoryStorage(DISK_SECTORS);
        final BlkfrontDevice device = rig.attach("51712", disk, null);
        assertEquals(DISK_SECTORS, device.sectorCount());
        assertEquals((32 << configuration.ringPageOrder) * configuration.queues, device.queueDepth());
        final byte[] model = new byte[(int)DISK_SECTORS * 512];
        final long[] pool = configuration.registered ?
            registeredPool(device, configuration.maxPagesPerRequest) : rig.allocateGuestPages(POOL_PAGES);
        final Random random = new Random(20261122);
        int reads = 0;
        int writes = 0;
        int discards = 0;
        int flushes = 0;
        int indirects = 0;

        for (int round = 0; round < ROUNDS; round++)
        {
            final BitSet busy = new BitSet((int)DISK_SECTORS);
            final List<Op> ops = new ArrayList<>();
            int nextPage = 0;
            while (ops.size() < 64)
            {
                final int kind = random.nextInt(20);
                if (kind == 0)
                {
                    ops.add(new Op("flush", 0, null, null, device.flush()));
                    flushes++;
                    continue;
                }
                final int pages = 1 + random.nextInt(random.nextInt(4) == 0 ? configuration.maxPagesPerRequest : 3);
                if (nextPage + pages > pool.length)
                {
                    break;
                }
                final int offsetBytes = random.nextInt(8) * 512;
                final int maxLength = pages * 4096 - offsetBytes;
                final int minLength = (pages - 1) * 4096 - offsetBytes + 512;
                final int lengthBytes = Math.max(minLength, 512 * (1 + random.nextInt(maxLength / 512)));
                final int sectors = lengthBytes / 512;
                final long sector = random.nextInt((int)DISK_SECTORS - sectors + 1);
                if (busy.get((int)sector, (int)sector + sectors).cardinality() > 0)
                {
                    continue;
                }
                busy.set((int)sector, (int)sector + sectors);
                if (kind <= 2)
                {
                    final long discardSectors = sectors;
                    ops.add(new Op("discard", sector, null, null, device.discard(sector, discardSectors)));
                    Arrays.fill(model, (int)sector * 512, (int)(sector + discardSectors) * 512, (byte)0);
                    discards++;
                    continue;
                }
                final BlockBuffer buffer =
                    new BlockBuffer(Arrays.copyOfRange(pool, nextPage, nextPage + pages), offsetBytes, lengthBytes);
                nextPage += pages;
                if (pages > 11)
                {
                    indirects++;
                }
                if (kind <= 10)
                {
                    final byte[] data = new byte[lengthBytes];
                    random.nextBytes(data);
                    rig.fill(buffer, data);
                    ops.add(new Op("write", sector, buffer, null, device.write(sector, buffer)));
                    System.arraycopy(data, 0, model, (int)sector * 512, lengthBytes);
                    writes++;
                }
                else
                {
                    rig.fill(buffer, new byte[lengthBytes]);
                    final byte[] expected =
                        Arrays.copyOfRange(model, (int)sector * 512, (int)sector * 512 + lengthBytes);
                    // half through the callback API, half through futures
                    final CompletableFuture<Void> done = new CompletableFuture<>();
                    if (random.nextBoolean())
                    {
                        device.read(sector, buffer, status ->
                        {
                            if (status == 0)
                            {
                                done.complete(null);
                            }
                            else
                            {
                                done.completeExceptionally(new BlockIoException(0, sector, status));
                            }
                        });
                    }
                    else
                    {
                        device.read(sector, buffer).whenComplete((v, e) ->
                        {
                            if (e == null)
                            {
                                done.complete(null);
                            }
                            else
                            {
                                done.completeExceptionally(e);
                            }
                        });
                    }
                    ops.add(new Op("read", sector, buffer, expected, done));
                    reads++;
                }
            }
            CompletableFuture.allOf(ops.stream().map(Op::done).toArray(CompletableFuture[]::new))
                .get(BlockRig.WAIT.toSeconds(), TimeUnit.SECONDS);
            for (final Op op : ops)
            {
                if (op.expected() != null)
                {
                    assertArrayEquals(op.expected(), rig.bytesOf(op.buffer()),
                        "round " + round + ": read of " + op.buffer().sectorCount() + " at " + op.sector());
                }
            }
        }

        assertArrayEquals(model, disk.snapshot(0, model.length), "the disk holds exactly the model");
        assertTrue(reads > 400 && writes > 400 && discards > 100 && flushes > 50,
            reads + " reads, " + writes + " writes, " + discards + " discards, " + flushes + " flushes");
        assertEquals(configuration.maxPagesPerRequest > 11, indirects > 20, indirects + " indirect requests");
        assertTrue(device.inFlightHighWatermark() > 16, "many in flight: " + device.inFlightHighWatermark());
        assertTrue(device.inFlightHighWatermark() <= device.queueDepth());
        assertTrue(rig.errors.isEmpty(), rig.errors::toString);

        // the back end answered every request on the queues negotiated, pushed once per batch and notified at
        // most once per batch
        final XenbusDevice xenbusDevice = new XenbusDevice(BlkbackXenbus.DEVICE_TYPE, "51712", rig.guest.domid(), 0);
        final List<BlkbackRing> queues = rig.blkback.rings(xenbusDevice);
        assertEquals(configuration.queues, queues.size());
        long requests = 0;
        for (final BlkbackRing queue : queues)
        {
            final BlkbackCounters counters = queue.counters();
            assertTrue(counters.requests() > 0, "every queue is used");
            assertEquals(0, counters.errorResponses() + counters.unsupportedResponses());
            assertTrue(counters.batches() <= counters.requests(), counters::toString);
            assertTrue(counters.notifications() <= counters.batches(), counters::toString);
            requests += counters.requests();
        }
        assertEquals(reads + writes + discards + flushes, requests);
        assertPersistentGrantsAsNegotiated(configuration, queues, indirects);
        if (configuration.registered)
        {
            // the back end writes into the registered pages and the rings' pages only: blkfront's persistent pages
            // (and so the copies through them) were never used
            final Set<Long> outsideThePool = rig.writablyMappedGfns();
            for (final long gfn : pool)
            {
                outsideThePool.remove(gfn);
            }
            assertEquals(configuration.queues << configuration.ringPageOrder, outsideThePool.size(),
                "mapped writable outside the registered pages: " + outsideThePool);
        }
        if (configuration.queues > 1)
        {
            assertEquals(Integer.toString(configuration.queues), rig.observer.xs().read(0,
                xenbusDevice.frontendPath() + "/" + BlkfrontXenbus.MULTI_QUEUE_NUM_QUEUES));
        }
        if (configuration.ringPageOrder > 0)
        {
            // each queue published its 2^order pages, and both ends use rings that size
            assertEquals(Integer.toString(configuration.ringPageOrder), rig.observer.xs().read(0,
                xenbusDevice.frontendPath() + "/" + BlkfrontXenbus.QUEUE_DIR_PREFIX + "0/ring-page-order"));
            for (final BlkbackRing queue : queues)
            {
                assertEquals(32 << configuration.ringPageOrder, queue.ringSize());
            }
        }
    }
}
