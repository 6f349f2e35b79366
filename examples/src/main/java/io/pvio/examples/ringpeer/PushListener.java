package io.pvio.examples.ringpeer;

/**
 * Told after each batch a ring end publishes: how many entries, and whether the peer's event index asked to be
 * notified ({@code RING_PUSH_*_AND_CHECK_NOTIFY}). Where a notification goes (an event channel, an in-process
 * doorbell, nowhere when peers poll across processes) is the listener's choice. Called on the ring end's thread;
 * must not allocate.
 */
@FunctionalInterface
public interface PushListener
{
    /** For peers that poll: notifications are counted by the ring end and go nowhere. */
    PushListener NONE = (entries, notifyRequired) ->
    {
    };

    void onPush(int entries, boolean notifyRequired);
}
