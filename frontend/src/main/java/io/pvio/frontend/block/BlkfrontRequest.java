package io.pvio.frontend.block;

import io.pvio.ring.blkif.BlkifConstants;

import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * One block request from submission to completion, reused through its device's {@link BlkfrontRequestPool}.
 * Filled by the submitter's thread ({@link #init}), then owned by the device's agent: the ring fields are plain and
 * written only there. The submission queue hands it over (the agent sees every field written before the offer), and
 * the pool hands it back (the next submitter sees it reset).
 * <p>
 * Its {@link #ticket()} names one use: a generation, moved on each time the agent recycles it, with a low bit set
 * once that use is completed. Whoever completes it must present the ticket of the use it means, so a submitter that
 * fails a request late (the device closed under it) can never complete the same object's next use.
 */
final class BlkfrontRequest
{
    private static final AtomicLongFieldUpdater<BlkfrontRequest> TICKET =
        AtomicLongFieldUpdater.newUpdater(BlkfrontRequest.class, "ticket");
    private static final long COMPLETED_BIT = 1;
    private static final long GENERATION_STEP = 2;

    int operation;
    long sector;
    /** READ/WRITE only. */
    BlockBuffer buffer;
    /** DISCARD only. */
    long discardSectors;
    BlockCompletion completion;
    /** Submission order, so that requests re-issued after a reconnect go out as they first did; 0 before issue. */
    long sequence;

    /**
     * The grant reference of each of the request's pages while it is on a ring (a persistent page's, or the
     * caller's page granted for it); the first {@link #grantCount} were claimed from the ring's pool for this
     * request and are revoked when it leaves the ring. At least {@link #segmentCount()} long; kept across uses.
     */
    int[] grantRefs = new int[1];
    int grantCount;
    /** The id whose persistent pages carry the data while on a ring, else -1. */
    int persistentId = -1;
    /**
     * Whether every page of the buffer is a registered page ({@link BlkfrontRegisteredPages}), with
     * {@link #grantRefs} filled from them: decided again only if a buffer was registered or freed since (a request
     * waiting for room is looked at every duty cycle).
     */
    boolean registered;
    /** The {@link BlkfrontRegisteredPages#generation()} {@link #registered} was decided at; -1 before. */
    long registeredGeneration = -1;
    /** The back end's answer, held between collecting it and completing it (after the ring's cycle). */
    int status;
    /** This use's generation, shifted left by one; its low bit is set once the use is completed. */
    private volatile long ticket;
    /**
     * Whether it sits in the pool: set by the agent as it offers it, cleared by the claimer. A pooled request is
     * completed by nobody (a bug elsewhere that completed it again would otherwise complete a use nobody made).
     */
    volatile boolean pooled;

    /** A new use (submitter's thread, before the request is queued). */
    void init(
        final int operation, final long sector, final BlockBuffer buffer, final long discardSectors,
        final BlockCompletion completion)
    {
        this.operation = operation;
        this.sector = sector;
        this.buffer = buffer;
        this.discardSectors = discardSectors;
        this.completion = completion;
        final int pages = buffer == null ? 0 : buffer.pageCount();
        if (grantRefs.length < pages)
        {
            grantRefs = new int[pages];
        }
    }

    /**
     * Forgets this use and moves the generation on, so that a late {@link #markCompleted(long)} with the old ticket
     * fails (the agent, after completing it, before it goes back to the pool).
     */
    void reset()
    {
        buffer = null;
        completion = null;
        sequence = 0;
        grantCount = 0;
        persistentId = -1;
        registered = false;
        registeredGeneration = -1;
        status = 0;
        // the next submitter reads this after taking the request from the pool (whose offer is a release)
        ticket = (ticket & ~COMPLETED_BIT) + GENERATION_STEP;
    }

    /** The ticket of the current use, not completed: what its submitter keeps to fail it late. */
    long ticket()
    {
        return ticket & ~COMPLETED_BIT;
    }

    /** Claims the right to complete the use named by {@code ticket}: true exactly once, false for any other use. */
    boolean markCompleted(final long ticket)
    {
        return (ticket & COMPLETED_BIT) == 0 && TICKET.compareAndSet(this, ticket, ticket | COMPLETED_BIT);
    }

    int segmentCount()
    {
        return buffer == null ? 0 : buffer.pageCount();
    }

    /** Whether it needs the indirect form: more pages than a request slot holds. */
    boolean isIndirect()
    {
        return segmentCount() > BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST;
    }
}
