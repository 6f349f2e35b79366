package io.pvio.backend.block;

import io.pvio.hypervisor.xenbus.XenbusFrontRing;
import io.pvio.hypervisor.xenbus.XenbusTransaction;
import io.pvio.ring.blkif.BlkifConstants;

/**
 * What blkback advertises with InitWait (blkif.h "Backend Device Properties", STYLE 10): the maximum of each
 * feature; the front end takes {@code min(its own, ours)}.
 *
 * @param flushCache          {@code feature-flush-cache}: {@code BLKIF_OP_FLUSH_DISKCACHE} is served.
 * @param barrier             {@code feature-barrier}: {@code BLKIF_OP_WRITE_BARRIER} is served.
 * @param discard             {@code feature-discard}: {@code BLKIF_OP_DISCARD} is served (discarded ranges read as
 *                            zeros).
 * @param persistent          {@code feature-persistent}: grants the front end reuses are mapped once and kept
 *                            mapped instead of copied (up to {@link BlkbackPersistentGrants#DEFAULT_MAX_PER_DEVICE}
 *                            per device by default, shared by its rings: see {@link BlkbackXenbus}); storage then
 *                            reads and writes a request's pages in place when they are machine-contiguous.
 * @param maxIndirectSegments {@code feature-max-indirect-segments}: 0 (indirect requests are not served and the key
 *                            is not written) or 12..4096; each ring then holds that many bounce frames.
 * @param maxQueues           {@code multi-queue-max-queues}: 1..{@link #MAX_QUEUES} rings (each with its own event
 *                            channel and agent thread) per device.
 * @param maxRingPageOrder    {@code max-ring-page-order}: rings of up to {@code 2^order} pages, 0..{@link
 *                            XenbusFrontRing#MAX_PAGE_ORDER} (the front end allocates them as one machine-contiguous
 *                            extent; see {@link io.pvio.hypervisor.xenbus.XenbusBackRing}).
 */
public record BlkbackFeatures(
    boolean flushCache,
    boolean barrier,
    boolean discard,
    boolean persistent,
    int maxIndirectSegments,
    int maxQueues,
    int maxRingPageOrder)
{
    public static final String FEATURE_FLUSH_CACHE = "feature-flush-cache";
    public static final String FEATURE_BARRIER = "feature-barrier";
    public static final String FEATURE_DISCARD = "feature-discard";
    public static final String DISCARD_GRANULARITY = "discard-granularity";
    public static final String DISCARD_ALIGNMENT = "discard-alignment";
    public static final String FEATURE_PERSISTENT = "feature-persistent";
    public static final String FEATURE_MAX_INDIRECT_SEGMENTS = "feature-max-indirect-segments";
    public static final String MULTI_QUEUE_MAX_QUEUES = "multi-queue-max-queues";
    public static final String MAX_RING_PAGE_ORDER = "max-ring-page-order";

    /** Discards are served at sector granularity. */
    public static final int DISCARD_GRANULARITY_BYTES = BlockStorage.SECTOR_SIZE_BYTES;

    public BlkbackFeatures
    {
        // blkif.h: at most 8 indirect pages of 512 segments; fewer than the 11 inline segments would be pointless
        if (maxIndirectSegments != 0 &&
            (maxIndirectSegments <= BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST ||
            maxIndirectSegments > BlkifConstants.MAX_INDIRECT_SEGMENTS))
        {
            throw new IllegalArgumentException("max indirect segments must be 0 or in 12.." +
                BlkifConstants.MAX_INDIRECT_SEGMENTS + ": " + maxIndirectSegments);
        }
        if (maxQueues < 1 || maxQueues > MAX_QUEUES)
        {
            throw new IllegalArgumentException("queues must be in 1.." + MAX_QUEUES + ": " + maxQueues);
        }
        if (maxRingPageOrder < 0 || maxRingPageOrder > XenbusFrontRing.MAX_PAGE_ORDER)
        {
            throw new IllegalArgumentException("max ring page order must be in 0.." + XenbusFrontRing.MAX_PAGE_ORDER +
                ": " + maxRingPageOrder);
        }
    }

    /** The most queues a device may have: each is a thread in this back end. */
    public static final int MAX_QUEUES = 16;
    /** Queues offered by default. */
    public static final int DEFAULT_MAX_QUEUES = 2;

    /** Indirect requests of up to 64 segments (256 KiB) by default. */
    public static final int DEFAULT_MAX_INDIRECT_SEGMENTS = 64;

    /** Rings of up to 16 pages (512 requests) by default, as Linux's blkback offers. */
    public static final int DEFAULT_MAX_RING_PAGE_ORDER = XenbusFrontRing.MAX_PAGE_ORDER;

    /**
     * Everything this version serves: flush, barrier, discard, persistent grants, indirect segments, two queues,
     * rings of up to 16 pages.
     */
    public static BlkbackFeatures defaults()
    {
        return new BlkbackFeatures(true, true, true, true, DEFAULT_MAX_INDIRECT_SEGMENTS, DEFAULT_MAX_QUEUES,
            DEFAULT_MAX_RING_PAGE_ORDER);
    }

    /** The most data segments one request can carry: inline, or indirect if offered. */
    public int maxSegmentsPerRequest()
    {
        return Math.max(BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST, maxIndirectSegments);
    }

    /** Writes every key; runs again if the transaction is retried. */
    public void write(final XenbusTransaction tx)
    {
        tx.writeFlag(FEATURE_FLUSH_CACHE, flushCache);
        tx.writeFlag(FEATURE_BARRIER, barrier);
        tx.writeFlag(FEATURE_DISCARD, discard);
        if (discard)
        {
            tx.write(DISCARD_GRANULARITY, DISCARD_GRANULARITY_BYTES);
            tx.write(DISCARD_ALIGNMENT, 0);
        }
        tx.writeFlag(FEATURE_PERSISTENT, persistent);
        if (maxIndirectSegments > 0)
        {
            tx.write(FEATURE_MAX_INDIRECT_SEGMENTS, maxIndirectSegments);
        }
        tx.write(MULTI_QUEUE_MAX_QUEUES, maxQueues);
        tx.write(MAX_RING_PAGE_ORDER, maxRingPageOrder);
    }
}
