package io.pvio.examples.bench.ring;

/** How a pvio ring end tells its peer about a published batch. */
enum PvioNotification
{
    /**
     * Xen's rule: publish with a volatile producer store, then read the peer's event index
     * ({@code RING_PUSH_*_AND_CHECK_NOTIFY}) and kick only if the peer asked. The peer may sleep.
     */
    EVENT_INDEX,
    /** Publish as above and kick after every batch, whatever the event index says. The peer may sleep. */
    EVERY_PUSH,
    /**
     * Publish with a release store only ({@code RING_PUSH_*}), no event-index check, no kick: both ends poll and
     * never sleep, exactly as the peer queues in this benchmark do. What a polling back end (or two cores dedicated
     * to the ring) would use.
     */
    POLLING
}
