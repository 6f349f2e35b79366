package io.pvio.examples.demo.block;

import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusState;
import io.pvio.hypervisor.xenstore.XenStore;
import io.pvio.hypervisor.xenstore.XenStoreClient;
import io.pvio.hypervisor.xenstore.XsWatchEvent;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Narrates the xenbus handshake as a XenStore watcher sees it: one privileged connection watches both ends'
 * directories, and each time an end's {@code state} node changes it says so, with what that end published
 * ({@link HandshakeNotes}). A watch event says that a node changed, not to what: a state that is overwritten before
 * the watcher reads it is never seen, and the watcher says when that happened.
 */
final class HandshakeWatcher implements AutoCloseable
{
    /** One end of the device. */
    enum End
    {
        BACK("back"),
        FRONT("front");

        final String label;

        End(final String label)
        {
            this.label = label;
        }
    }

    private static final String TOKEN = "pvio-demo";
    /** Each end's usual way through the handshake and back out (xenbus.h). */
    private static final XenbusState[] BACK_PATH = {XenbusState.INITIALISING, XenbusState.INIT_WAIT,
        XenbusState.CONNECTED, XenbusState.CLOSING, XenbusState.CLOSED};
    private static final XenbusState[] FRONT_PATH = {XenbusState.INITIALISING, XenbusState.INITIALISED,
        XenbusState.CONNECTED, XenbusState.CLOSING, XenbusState.CLOSED};
    private static final long POLL_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private final XenStoreClient xs;
    private final XenbusDevice device;
    private final DemoConsole console;
    private final HandshakeNotes notes;
    private final Thread thread;
    private final XenbusState[] seen = {XenbusState.UNKNOWN, XenbusState.UNKNOWN};
    private final int[] stateWrites = new int[2];
    private final boolean[] present = new boolean[2];
    private volatile boolean running = true;
    private volatile Throwable failure;

    HandshakeWatcher(final XenStore store, final XenbusDevice device, final DemoConsole console)
    {
        this.xs = new XenStoreClient(store, 0, true);
        this.device = device;
        this.console = console;
        this.notes = new HandshakeNotes(xs, device);
        xs.watch(device.backendPath(), TOKEN);
        xs.watch(device.frontendPath(), TOKEN);
        this.thread = new Thread(this::run, "pvio-demo-xenstore-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** The state last seen at {@code end} (UNKNOWN before it exists and after it is removed). */
    synchronized XenbusState seen(final End end)
    {
        return seen[end.ordinal()];
    }

    /** Waits until the watcher has seen {@code end} reach {@code state}. */
    void awaitSeen(final End end, final XenbusState state, final long deadlineNs)
        throws TimeoutException, InterruptedException
    {
        while (seen(end) != state)
        {
            if (failure != null)
            {
                throw new IllegalStateException("the XenStore watcher failed", failure);
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new TimeoutException("the " + end.label + " end did not reach " + state + " (last seen " +
                    seen(end) + ")");
            }
            if (Thread.interrupted())
            {
                throw new InterruptedException();
            }
            LockSupport.parkNanos(POLL_NS);
        }
    }

    /** Waits until the watcher has seen {@code end}'s directory removed. */
    void awaitRemoved(final End end, final long deadlineNs) throws TimeoutException, InterruptedException
    {
        while (isPresent(end))
        {
            if (failure != null)
            {
                throw new IllegalStateException("the XenStore watcher failed", failure);
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new TimeoutException("the " + end.label + " end's directory was not removed (last seen in " +
                    seen(end) + ")");
            }
            if (Thread.interrupted())
            {
                throw new InterruptedException();
            }
            LockSupport.parkNanos(POLL_NS);
        }
    }

    private synchronized boolean isPresent(final End end)
    {
        return present[end.ordinal()];
    }

    @Override
    public void close() throws InterruptedException
    {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(5));
        xs.close();
    }

    private void run()
    {
        try
        {
            while (running)
            {
                if (xs.pollWatchEvents(this::onEvent, 64) > 0)
                {
                    look(End.BACK);
                    look(End.FRONT);
                }
                else
                {
                    LockSupport.parkNanos(POLL_NS);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
        }
    }

    private synchronized void onEvent(final XsWatchEvent event)
    {
        if (event.path().equals(device.backendPath() + "/state"))
        {
            stateWrites[End.BACK.ordinal()]++;
        }
        else if (event.path().equals(device.frontendPath() + "/state"))
        {
            stateWrites[End.FRONT.ordinal()]++;
        }
    }

    private void look(final End end)
    {
        final String dir = end == End.BACK ? device.backendPath() : device.frontendPath();
        final boolean exists = xs.exists(0, dir);
        final XenbusState state = exists ? XenbusState.parse(xs.readOrNull(0, dir + "/state")) : XenbusState.UNKNOWN;
        final XenbusState before;
        final boolean existed;
        final int writes;
        synchronized (this)
        {
            before = seen[end.ordinal()];
            existed = present[end.ordinal()];
            writes = stateWrites[end.ordinal()];
            if (state == before && exists == existed)
            {
                return;
            }
            stateWrites[end.ordinal()] = 0;
        }
        // narrate first, then publish the state: whoever waits for it finds the story already told
        if (!exists)
        {
            console.event(end.label, "directory removed by the toolstack: " + dir);
        }
        else
        {
            final List<XenbusState> unseen = unseen(end, before, state, writes);
            final StringBuilder text = new StringBuilder(name(before)).append(" -> ").append(name(state));
            if (!unseen.isEmpty())
            {
                text.append(" (through ");
                for (int i = 0; i < unseen.size(); i++)
                {
                    text.append(i == 0 ? "" : ", ").append(name(unseen.get(i)));
                }
                text.append(": a watch says that a node changed, not what it held, so a state replaced at once " +
                    "goes unseen)");
            }
            if (!unseen.isEmpty())
            {
                for (final XenbusState passed : unseen)
                {
                    // what that end published with the state it passed through is still there to read
                    text.append('\n').append(name(passed)).append(notes.explain(end, passed));
                }
                text.append('\n').append(name(state));
            }
            console.event(end.label, text.append(notes.explain(end, state)).toString());
        }
        synchronized (this)
        {
            seen[end.ordinal()] = state;
            present[end.ordinal()] = exists;
        }
    }

    /**
     * The states of {@code end}'s usual path between {@code from} and {@code to}, if the watch counted enough writes
     * of the state node for them: they were written and replaced before the watcher read the node.
     */
    private static List<XenbusState> unseen(
        final End end, final XenbusState from, final XenbusState to, final int writes)
    {
        final XenbusState[] path = end == End.BACK ? BACK_PATH : FRONT_PATH;
        final int fromIndex = from == XenbusState.UNKNOWN ? -1 : indexOf(path, from);
        final int toIndex = indexOf(path, to);
        if (fromIndex < -1 || toIndex < 0 || toIndex - fromIndex < 2 || writes < toIndex - fromIndex)
        {
            return List.of();
        }
        return List.of(path).subList(fromIndex + 1, toIndex);
    }

    private static int indexOf(final XenbusState[] path, final XenbusState state)
    {
        for (int i = 0; i < path.length; i++)
        {
            if (path[i] == state)
            {
                return i;
            }
        }
        return -2;
    }

    /** xenbus.h's name for a state, as Linux prints it. */
    static String name(final XenbusState state)
    {
        return switch (state)
        {
            case UNKNOWN -> "(none)";
            case INITIALISING -> "Initialising";
            case INIT_WAIT -> "InitWait";
            case INITIALISED -> "Initialised";
            case CONNECTED -> "Connected";
            case CLOSING -> "Closing";
            case CLOSED -> "Closed";
            case RECONFIGURING -> "Reconfiguring";
            case RECONFIGURED -> "Reconfigured";
        };
    }
}
