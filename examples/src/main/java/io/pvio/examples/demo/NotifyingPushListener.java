package io.pvio.examples.demo;

import io.pvio.examples.notify.Doorbell;
import io.pvio.examples.ringpeer.PushListener;
import io.pvio.ring.SharedRing;

/**
 * Delivers a ring end's notifications to the peer's doorbell, the demo's stand-in for an event channel: with
 * suppression, only when the peer's event index asked for it (Xen's rule); without, after every batch. Narrates the
 * first few batches with the shared header as the other side sees it.
 */
final class NotifyingPushListener implements PushListener
{
    private final Doorbell peerDoorbell;
    private final boolean suppression;
    private final Narration narration;
    private final String side;
    private final String entryName;
    private final SharedRing ring;
    private int narrated;
    private long pushes;

    NotifyingPushListener(
        final Doorbell peerDoorbell,
        final boolean suppression,
        final Narration narration,
        final String side,
        final String entryName,
        final SharedRing ring)
    {
        this.peerDoorbell = peerDoorbell;
        this.suppression = suppression;
        this.narration = narration;
        this.side = side;
        this.entryName = entryName;
        this.ring = ring;
    }

    @Override
    public void onPush(final int entries, final boolean notifyRequired)
    {
        pushes++;
        final boolean kick = notifyRequired || !suppression;
        if (kick)
        {
            peerDoorbell.kick();
        }
        if (narration.wants(narrated))
        {
            narrated++;
            final String why = notifyRequired ? "peer's event index is in this batch: kick" :
                suppression ? "peer did not ask (it is awake): no kick" : "suppression off: kick anyway";
            narration.line(side, "published " + entries + " " + entryName + "; " + why + "  " + ring);
        }
    }

    /** Batches published so far (single writer: read after the ring end's thread has stopped). */
    long pushes()
    {
        return pushes;
    }
}
