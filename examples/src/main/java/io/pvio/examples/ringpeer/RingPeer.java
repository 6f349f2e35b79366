package io.pvio.examples.ringpeer;

import org.agrona.concurrent.Agent;

/**
 * One end of a {@code pvio ring-peer} exchange as an Agrona {@link Agent}: {@link #doWork()} polls the ring once and
 * never blocks or allocates; {@link RingPeerRunner} drives it until {@link #isDone()} or a deadline.
 */
public interface RingPeer extends Agent
{
    /** One duty cycle; returns the number of requests or responses handled (0 when idle). Never throws. */
    @Override
    int doWork();

    /**
     * Xen's final check before going idle ({@code RING_FINAL_CHECK_FOR_*}): arms this end's event index so the peer
     * notifies on its next batch, then re-checks. Call it only when about to idle, never on every poll: an armed
     * index makes the peer notify, which is exactly what suppression avoids while this end is busy.
     *
     * @return true if work arrived (do not idle), false if it is safe to wait for a notification.
     */
    boolean finalCheck();

    /** True once every round trip is done or the exchange has failed. */
    boolean isDone();

    /** Why the exchange failed, or {@code null} while it has not (allocated only on failure). */
    String failure();

    /** One line of counts for the user once the exchange succeeded. */
    String summary();

    /** How far the exchange got, for a timeout message. */
    String progress();
}
