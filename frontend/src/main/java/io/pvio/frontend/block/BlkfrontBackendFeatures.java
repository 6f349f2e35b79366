package io.pvio.frontend.block;

import io.pvio.hypervisor.xenbus.XenbusFrontRing;
import io.pvio.hypervisor.xenbus.XenbusTransaction;
import io.pvio.ring.blkif.BlkifConstants;

/**
 * What a blkback advertised with InitWait, as blkfront reads it (STYLE 10): untrusted, every key range-checked
 * ({@link io.pvio.hypervisor.xenbus.XenbusProtocolException} otherwise), blkif.h's defaults for missing keys.
 *
 * @param flushCache          {@code feature-flush-cache} (default off).
 * @param barrier             {@code feature-barrier} (default off).
 * @param discard             {@code feature-discard} (default off).
 * @param persistent          {@code feature-persistent} (default off).
 * @param maxIndirectSegments {@code feature-max-indirect-segments} (default 0: none).
 * @param maxQueues           {@code multi-queue-max-queues} (default 1).
 * @param maxRingPageOrder    {@code max-ring-page-order} (default 0).
 */
public record BlkfrontBackendFeatures(
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
    public static final String FEATURE_PERSISTENT = "feature-persistent";
    public static final String FEATURE_MAX_INDIRECT_SEGMENTS = "feature-max-indirect-segments";
    public static final String MULTI_QUEUE_MAX_QUEUES = "multi-queue-max-queues";
    public static final String MAX_RING_PAGE_ORDER = "max-ring-page-order";
    /** Queues we would ever use; a larger advertisement is clamped, not refused. */
    public static final int MAX_QUEUES_READ = 256;

    public static BlkfrontBackendFeatures parse(final XenbusTransaction backend)
    {
        // blkif.h: an indirect request carries at most 8 pages of 512 segments; more is clamped
        final int maxIndirectSegments = Math.min(
            backend.readInt(FEATURE_MAX_INDIRECT_SEGMENTS, 0, Integer.MAX_VALUE, 0),
            BlkifConstants.MAX_INDIRECT_SEGMENTS);
        // blkif.h: multi-queue-max-queues >= 1 when present
        final int maxQueues =
            Math.min(backend.readInt(MULTI_QUEUE_MAX_QUEUES, 1, Integer.MAX_VALUE, 1), MAX_QUEUES_READ);
        final int maxRingPageOrder =
            Math.min(backend.readInt(MAX_RING_PAGE_ORDER, 0, 31, 0), XenbusFrontRing.MAX_PAGE_ORDER);
        return new BlkfrontBackendFeatures(
            backend.readFlag(FEATURE_FLUSH_CACHE, false),
            backend.readFlag(FEATURE_BARRIER, false),
            backend.readFlag(FEATURE_DISCARD, false),
            backend.readFlag(FEATURE_PERSISTENT, false),
            maxIndirectSegments,
            maxQueues,
            maxRingPageOrder);
    }
}
