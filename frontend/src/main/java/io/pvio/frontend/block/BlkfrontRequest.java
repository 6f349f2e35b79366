package io.pvio.frontend.block;

import io.pvio.ring.blkif.BlkifConstants;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One block request from submission to completion. Built by the caller's thread, then owned by the device's agent:
 * the ring fields are plain and written only there.
 */
final class BlkfrontRequest
{
    private static final AtomicIntegerFieldUpdater<BlkfrontRequest> COMPLETED =
        AtomicIntegerFieldUpdater.newUpdater(BlkfrontRequest.class, "completed");

    final int operation;
    final long sector;
    /** READ/WRITE only. */
    final BlockBuffer buffer;
    /** DISCARD only. */
    final long discardSectors;
    final BlockCompletion completion;
    /** Submission order, so that requests re-issued after a reconnect go out as they first did. */
    long sequence;

    /**
     * The grant reference of each of the request's pages while it is on a ring (a persistent page's, or the
     * caller's page granted for it); the first {@link #grantCount} were claimed from the ring's pool for this
     * request and are revoked when it leaves the ring.
     */
    final int[] grantRefs;
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
    /** 1 once the completion ran or is running: it runs exactly once, whoever gets there first. */
    private volatile int completed;

    BlkfrontRequest(
        final int operation, final long sector, final BlockBuffer buffer, final long discardSectors,
        final BlockCompletion completion)
    {
        this.operation = operation;
        this.sector = sector;
        this.buffer = buffer;
        this.discardSectors = discardSectors;
        this.completion = completion;
        this.grantRefs = new int[buffer == null ? 0 : buffer.pageCount()];
    }

    /** Claims the right to complete this request: true exactly once. */
    boolean markCompleted()
    {
        return COMPLETED.compareAndSet(this, 0, 1);
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
