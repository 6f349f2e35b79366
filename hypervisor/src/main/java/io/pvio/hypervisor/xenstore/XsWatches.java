package io.pvio.hypervisor.xenstore;

import java.util.List;

/**
 * Watch matching and event queueing, under the {@link XenStore} lock. A change to node P fires every watch on P or
 * an ancestor of P (event path P); removing P also fires watches below P (event path: the watch's own). Only
 * connections that may read the node (before removal: as it was) see the event. Relative watches see relative
 * paths. Each connection queues at most {@code maxPendingEvents}; the rest are dropped and counted. Every event
 * queued or dropped runs the connection's signal ({@link XenStore#signalOnEvent}), after it is queued.
 */
final class XsWatches
{
    private XsWatches()
    {
    }

    static void fire(final List<XsConnection> connections, final XenStore.Fired fired, final int maxPendingEvents)
    {
        for (final XsConnection c : connections)
        {
            if (!fired.perms().canRead(c.domid(), c.isPrivileged()))
            {
                continue;
            }
            for (final XsConnection.Watch w : c.watches)
            {
                if (XsPaths.isSpecial(w.path()))
                {
                    continue;
                }
                if (XsPaths.isAtOrBelow(fired.path(), w.path()))
                {
                    enqueue(c, new XsWatchEvent(shown(c, w, fired.path()), w.token()), maxPendingEvents);
                }
                else if (fired.removed() && XsPaths.isAtOrBelow(w.path(), fired.path()))
                {
                    // the watched node went away with its removed ancestor
                    enqueue(c, new XsWatchEvent(shown(c, w, w.path()), w.token()), maxPendingEvents);
                }
            }
        }
    }

    /** {@code @introduceDomain} / {@code @releaseDomain}: only privileged connections can hold these watches. */
    static void fireSpecial(final List<XsConnection> connections, final String special, final int maxPendingEvents)
    {
        for (final XsConnection c : connections)
        {
            for (final XsConnection.Watch w : c.watches)
            {
                if (w.path().equals(special))
                {
                    enqueue(c, new XsWatchEvent(special, w.token()), maxPendingEvents);
                }
            }
        }
    }

    static void enqueue(final XsConnection c, final XsWatchEvent event, final int maxPendingEvents)
    {
        if (c.events.size() >= maxPendingEvents)
        {
            // the queue is full, so its owner still has events to take after this drop: a rescan on taking any of
            // them reads the store as changed here. Signalled anyway, so that an owner that counts drops hears of it.
            c.droppedEvents++;
        }
        else
        {
            c.events.add(event);
        }
        // the owner polls under the same lock: it sees this event queued before it sees the signal
        c.signalEvent();
    }

    private static String shown(final XsConnection c, final XsConnection.Watch w, final String path)
    {
        return w.relative() ? path.substring(XsPaths.home(c.domid()).length() + 1) : path;
    }
}
