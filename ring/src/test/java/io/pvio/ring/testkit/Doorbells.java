package io.pvio.ring.testkit;

import io.pvio.ring.SringDescriptor;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * Cross-process notification for the interop tests: a stand-in for an event channel between a Java ring and the C
 * {@code blkif_peer} (which defines the same offsets) sharing one file.
 *
 * <pre>
 *   page 0     the shared ring (one 4 KiB page)
 *   page 1 +0  front end's doorbell (u32): the back end increments it to notify the front end
 *          +64 back end's doorbell (u32): the front end increments it to notify the back end
 * </pre>
 * <ul>
 *   <li>A kick is an atomic increment of the peer's counter, sent only when {@code RING_PUSH_*_AND_CHECK_NOTIFY}
 *       says the peer asked for it.</li>
 *   <li>A side takes a {@link #snapshot()} of its own counter before its final check, and after a final check that
 *       found no work waits until the counter differs from the snapshot: a kick can never be lost, a kick that was
 *       wrongly suppressed deadlocks and fails the test's deadline.</li>
 *   <li>Each counter is written by one side and read by the other; the two sit on separate cache lines.</li>
 * </ul>
 * One instance is one side's view; it keeps plain counters of its own kicks and waits (single owner thread).
 */
public final class Doorbells
{
    /** The doorbell page follows the one-page ring. */
    public static final int DOORBELL_PAGE_OFFSET = SringDescriptor.PAGE_SIZE_BYTES;
    /** The counter the front end waits on and the back end increments. */
    public static final int FRONT_DOORBELL_OFFSET = DOORBELL_PAGE_OFFSET;
    /** The counter the back end waits on and the front end increments. */
    public static final int BACK_DOORBELL_OFFSET = DOORBELL_PAGE_OFFSET + 64;
    /** A ring file with doorbells: the ring page and the doorbell page. */
    public static final int FILE_LENGTH_BYTES = 2 * SringDescriptor.PAGE_SIZE_BYTES;

    private final AtomicBuffer buffer;
    private final int ownOffset;
    private final int peerOffset;
    private final IdleStrategy idleStrategy = new BackoffIdleStrategy(
        64, 64, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(50));
    private long kicksSent;
    private long waits;

    private Doorbells(final AtomicBuffer buffer, final int ownOffset, final int peerOffset)
    {
        if (buffer.capacity() < FILE_LENGTH_BYTES)
        {
            throw new IllegalArgumentException(
                "a ring file with doorbells is " + FILE_LENGTH_BYTES + " bytes, not " + buffer.capacity());
        }
        this.buffer = buffer;
        this.ownOffset = ownOffset;
        this.peerOffset = peerOffset;
    }

    /** The front end's view: waits on {@link #FRONT_DOORBELL_OFFSET}, kicks {@link #BACK_DOORBELL_OFFSET}. */
    public static Doorbells forFrontEnd(final AtomicBuffer buffer)
    {
        return new Doorbells(buffer, FRONT_DOORBELL_OFFSET, BACK_DOORBELL_OFFSET);
    }

    /** The back end's view: waits on {@link #BACK_DOORBELL_OFFSET}, kicks {@link #FRONT_DOORBELL_OFFSET}. */
    public static Doorbells forBackEnd(final AtomicBuffer buffer)
    {
        return new Doorbells(buffer, BACK_DOORBELL_OFFSET, FRONT_DOORBELL_OFFSET);
    }

    /** Our own counter; take it before the final check and pass it to {@link #awaitKick}. */
    public int snapshot()
    {
        // ordered before our final check's reads: a kick sent after that check moves the counter past this value.
        return buffer.getIntVolatile(ownOffset);
    }

    /** Notifies the peer. Call only when the ring said the peer asked to be notified. */
    public void kickPeer()
    {
        kicksSent++;
        // the peer sees our pushed producer index before it sees its counter move (full fence).
        buffer.getAndAddInt(peerOffset, 1);
    }

    /**
     * Waits, spinning then parking briefly, until our counter differs from {@code seen}.
     *
     * @throws IllegalStateException at {@code deadlineNs} (a lost or suppressed kick) or on interrupt.
     */
    public void awaitKick(final int seen, final long deadlineNs)
    {
        waits++;
        idleStrategy.reset();
        // the peer's ring writes before its kick are visible once we see the counter move (acquire).
        while (buffer.getIntVolatile(ownOffset) == seen)
        {
            if (Thread.interrupted())
            {
                throw new IllegalStateException("interrupted while waiting for a kick at offset " + ownOffset);
            }
            if (System.nanoTime() - deadlineNs >= 0)
            {
                throw new IllegalStateException("no kick arrived at offset " + ownOffset + " before the deadline " +
                    "(lost or wrongly suppressed notification, or a dead peer); counter still " + seen);
            }
            idleStrategy.idle();
        }
    }

    /** Total kicks the peer has sent us (diagnostics and cross-checks). */
    public int ownCounter()
    {
        return buffer.getIntVolatile(ownOffset);
    }

    /** Total kicks sent to the peer by either party writing its counter (diagnostics and cross-checks). */
    public int peerCounter()
    {
        return buffer.getIntVolatile(peerOffset);
    }

    public long kicksSent()
    {
        return kicksSent;
    }

    public long waits()
    {
        return waits;
    }
}
