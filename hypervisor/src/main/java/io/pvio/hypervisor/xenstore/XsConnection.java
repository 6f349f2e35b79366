package io.pvio.hypervisor.xenstore;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One client of the store: a domain's ring, a socket client or an in-process client. Holds what Xen ties to a
 * connection: its domain and privilege, its watches, its open transactions and its queue of fired watch events.
 * Created by {@link XenStore#connect}; everything is guarded by the store's lock and dropped by
 * {@link XenStore#disconnect}.
 */
public final class XsConnection
{
    record Watch(String path, String token, boolean relative)
    {
    }

    private final int domid;
    private final boolean privileged;
    private final String name;
    final List<Watch> watches = new ArrayList<>();
    final Map<Integer, XsTransaction> transactions = new HashMap<>();
    final ArrayDeque<XsWatchEvent> events = new ArrayDeque<>();
    long droppedEvents;
    boolean closed;
    /** Run after each event queued (or dropped) for this connection, to wake its owner; {@code null} for none. */
    Runnable eventSignal;

    XsConnection(final int domid, final boolean privileged, final String name)
    {
        this.domid = domid;
        this.privileged = privileged;
        this.name = name;
    }

    /** The domain this connection acts as. */
    public int domid()
    {
        return domid;
    }

    /** Whether it may do anything (dom0, the local socket). */
    public boolean isPrivileged()
    {
        return privileged;
    }

    /**
     * An event was just queued or dropped (under the store's lock): the owner is told after the event can be polled,
     * so an owner that found the queue empty and is about to sleep is woken (its idle strategy's handshake).
     */
    void signalEvent()
    {
        final Runnable signal = eventSignal;
        if (signal != null)
        {
            signal.run();
        }
    }

    @Override
    public String toString()
    {
        return name + "(dom" + domid + (privileged ? ", privileged)" : ")");
    }
}
