package io.pvio.backend.block;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one blkback ring has done, for tests and tools. Single writer (the ring's agent, release stores); any thread
 * may read.
 */
public final class BlkbackCounters
{
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong notifications = new AtomicLong();
    private final AtomicLong errorResponses = new AtomicLong();
    private final AtomicLong unsupportedResponses = new AtomicLong();
    private final AtomicLong persistentSegments = new AtomicLong();
    private final AtomicLong copiedSegments = new AtomicLong();
    private final AtomicLong persistentIndirectRequests = new AtomicLong();
    private final AtomicLong directTransfers = new AtomicLong();
    private final AtomicLong purgedPersistentGrants = new AtomicLong();
    private final AtomicLong reusedRuns = new AtomicLong();
    private final AtomicLong emptyRingNs = new AtomicLong();
    private final AtomicLong emptyRingSpells = new AtomicLong();
    private final AtomicBoolean emptyRingOpen = new AtomicBoolean();
    private final AtomicLong emptyRingSinceNs = new AtomicLong();

    /** Requests answered. */
    public long requests()
    {
        return requests.get();
    }

    /** Batches drained: each ends with one push of responses. */
    public long batches()
    {
        return batches.get();
    }

    /** Events sent to the front end: at most one per batch. */
    public long notifications()
    {
        return notifications.get();
    }

    /** Requests answered {@code BLKIF_RSP_ERROR}. */
    public long errorResponses()
    {
        return errorResponses.get();
    }

    /** Requests answered {@code BLKIF_RSP_EOPNOTSUPP}. */
    public long unsupportedResponses()
    {
        return unsupportedResponses.get();
    }

    /** Data segments moved by plain copies through a mapping kept with {@code feature-persistent}. */
    public long persistentSegments()
    {
        return persistentSegments.get();
    }

    /** Data segments moved by grant copy (no persistent grants, or not kept: beyond the bound, or unmappable). */
    public long copiedSegments()
    {
        return copiedSegments.get();
    }

    /** Indirect requests whose indirect pages and data segments all went through kept mappings. */
    public long persistentIndirectRequests()
    {
        return persistentIndirectRequests.get();
    }

    /**
     * Reads and writes whose storage call went straight to the front end's pages through kept mappings (one copy
     * per byte), instead of through the private staging buffer. Their segments count as {@link #persistentSegments}.
     */
    public long directTransfers()
    {
        return directTransfers.get();
    }

    /** Kept mappings unmapped because no request had used them for the device's idle timeout. */
    public long purgedPersistentGrants()
    {
        return purgedPersistentGrants.get();
    }

    /**
     * Large requests (at least {@link BlkbackPersistentGrants#RUN_CACHE_MIN_SEGMENTS} segments) whose kept mappings
     * came from a run remembered from an earlier request naming the same refs, with no lookup per segment.
     */
    public long reusedRuns()
    {
        return reusedRuns.get();
    }

    /**
     * Nanoseconds the ring has sat empty between batches: from the first poll that found no request to the start of
     * the next batch, a park included, and the spell in progress so far (read on {@link System#nanoTime()}, the
     * ring's clock). So the change over a window is the empty time within it, whenever its spells began. A read that
     * races with a spell's end may miss that spell until the next read; it never counts one twice.
     */
    public long emptyRingNs()
    {
        // the closed spells first: a spell closing after this read is then seen closed below, and not added twice
        final long closedNs = emptyRingNs.get();
        if (!emptyRingOpen.get())
        {
            return closedNs;
        }
        return closedNs + Math.max(0, System.nanoTime() - emptyRingSinceNs.get());
    }

    /** Times the ring ran dry and then got requests again (the spells {@link #emptyRingNs} adds up). */
    public long emptyRingSpells()
    {
        return emptyRingSpells.get();
    }

    /** The ring was found empty at {@code sinceNs}: a spell begins. */
    void beginEmptyRingSpell(final long sinceNs)
    {
        emptyRingSinceNs.setRelease(sinceNs);
        // release: a reader that sees the spell open sees when it began
        emptyRingOpen.setRelease(true);
    }

    /** The spell begun at the last {@link #beginEmptyRingSpell} ended after {@code lengthNs}. */
    void endEmptyRingSpell(final long lengthNs)
    {
        // closed before its length is added: a reader sees it open or counted, never both
        emptyRingOpen.setRelease(false);
        add(emptyRingNs, lengthNs);
        increment(emptyRingSpells);
    }

    void addReusedRun()
    {
        increment(reusedRuns);
    }

    void addRequest()
    {
        increment(requests);
    }

    void addBatch()
    {
        increment(batches);
    }

    void addNotification()
    {
        increment(notifications);
    }

    void addErrorResponse()
    {
        increment(errorResponses);
    }

    void addUnsupportedResponse()
    {
        increment(unsupportedResponses);
    }

    void addSegments(final int persistent, final int copied)
    {
        add(persistentSegments, persistent);
        add(copiedSegments, copied);
    }

    void addPersistentIndirectRequest()
    {
        increment(persistentIndirectRequests);
    }

    void addDirectTransfer()
    {
        increment(directTransfers);
    }

    void addPurgedPersistentGrants(final int count)
    {
        add(purgedPersistentGrants, count);
    }

    private static void increment(final AtomicLong counter)
    {
        add(counter, 1);
    }

    private static void add(final AtomicLong counter, final long delta)
    {
        if (delta != 0)
        {
            // single writer: readers see whole values, in order
            counter.setRelease(counter.getPlain() + delta);
        }
    }

    @Override
    public String toString()
    {
        return "BlkbackCounters{requests=" + requests() + ", batches=" + batches() + ", notifications=" +
            notifications() + ", errors=" + errorResponses() + ", unsupported=" + unsupportedResponses() +
            ", persistentSegments=" + persistentSegments() + ", copiedSegments=" + copiedSegments() +
            ", persistentIndirectRequests=" + persistentIndirectRequests() + ", directTransfers=" + directTransfers() +
            ", purgedPersistentGrants=" + purgedPersistentGrants() + ", reusedRuns=" + reusedRuns() +
            ", emptyRingNs=" + emptyRingNs() + ", emptyRingSpells=" + emptyRingSpells() + "}";
    }
}
