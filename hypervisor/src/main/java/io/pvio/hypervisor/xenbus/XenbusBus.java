package io.pvio.hypervisor.xenbus;

import io.pvio.hypervisor.xenstore.XenStoreAccess;
import io.pvio.hypervisor.xenstore.XsErrno;
import io.pvio.hypervisor.xenstore.XsException;
import io.pvio.hypervisor.xenstore.XsWatchEvent;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * What the front-end and back-end buses share: an Agrona {@link Agent} over one domain's XenStore connection that
 * drains its watch events and, when any arrived, rescans: discovers new devices, forgets removed ones, and steps
 * each device's state machine from the states now in the store. Level-triggered, so a missed or coalesced event
 * cannot leave a device stuck; every rule is guarded by the local state, so repeating a scan is harmless.
 * <p>
 * It has work only when a watch event is queued for its connection or a driver is registered: with
 * {@link #signalOnWork} both wake it, so it may run on an {@code EventIdleStrategy} and sleep in between, as Linux's
 * xenwatch thread sleeps until the XenStore connection has an event for it.
 */
abstract class XenbusBus<D> implements Agent
{
    private static final int EVENTS_PER_CYCLE = 256;

    /** Per-device state, owned by the agent thread. */
    static final class Entry
    {
        final XenbusDevice device;
        XenbusState local = XenbusState.INITIALISING;
        boolean active;
        boolean failed;
        /** The other end's state when this device failed: it is stepped again only once that changes. */
        XenbusState failedPeerState;

        Entry(final XenbusDevice device)
        {
            this.device = device;
        }
    }

    protected final XenStoreAccess xs;
    protected final XenbusClient xenbus;
    protected final ErrorHandler errorHandler;
    protected final Map<String, D> drivers = new LinkedHashMap<>();
    protected final Map<String, Entry> entries = new HashMap<>();
    private final String rootPath;
    /** A rescan is due: set for any watch event taken (a drop leaves events to take, see XsWatches). Agent only. */
    private boolean dirty = true;
    private final Consumer<XsWatchEvent> onWatchEvent = event -> dirty = true;
    /** Set by {@link #register} on any thread, taken by the agent: its next duty cycle rescans with the new driver. */
    private final AtomicBoolean driverRegistered = new AtomicBoolean();
    /** Wakes a sleeping agent after {@link #register}; {@code null} if it polls. */
    private volatile Runnable workSignal;

    XenbusBus(final XenStoreAccess xs, final String rootPath, final ErrorHandler errorHandler)
    {
        this.xs = xs;
        this.xenbus = new XenbusClient(xs);
        this.rootPath = rootPath;
        this.errorHandler = errorHandler;
    }

    /** The devices this bus currently knows, for tests and tools. */
    public synchronized List<XenbusDevice> devices()
    {
        final List<XenbusDevice> devices = new ArrayList<>();
        entries.values().forEach(e -> devices.add(e.device));
        return devices;
    }

    /**
     * Has {@code signal} run whenever this bus has work, so that it may run on an idle strategy that sleeps until
     * signalled (an {@code EventIdleStrategy}, with {@code idle::signal}): after each watch event queued for its
     * XenStore connection ({@link XenStoreAccess#signalOnWatchEvent}) and after each {@link #register}. The signal
     * follows the work, so an agent that found nothing and is about to sleep is woken. Call before the bus runs.
     *
     * @return false, and nothing is signalled, if its XenStore connection cannot signal (e.g. a guest's ring
     *         client): run the bus on a polling idle strategy then.
     */
    public boolean signalOnWork(final Runnable signal)
    {
        if (!xs.signalOnWatchEvent(signal))
        {
            return false;
        }
        workSignal = signal;
        return true;
    }

    @Override
    public void onStart()
    {
        xenbus.watch(rootPath, "bus");
    }

    @Override
    public int doWork()
    {
        // a wake-up with nothing to take needs no rescan: every event signalled has been taken by a cycle that
        // rescanned after it was queued (and so after the change it reports), and a dropped event leaves queued
        // ones behind it, whose taking rescans
        final int events = xs.pollWatchEvents(onWatchEvent, EVENTS_PER_CYCLE);
        if (driverRegistered.getAndSet(false))
        {
            dirty = true;
        }
        if (!dirty)
        {
            return events;
        }
        dirty = false;
        synchronized (this)
        {
            discover();
            final Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
            while (it.hasNext())
            {
                final Entry entry = it.next().getValue();
                if (!exists(ownPath(entry.device)))
                {
                    it.remove();
                    forget(entry);
                    continue;
                }
                if (entry.failed && xenbus.readState(otherPath(entry.device)) != entry.failedPeerState)
                {
                    // the other end moved on (e.g. to Closed, to retry): its rules apply again from our Closing
                    entry.failed = false;
                }
                if (!entry.failed)
                {
                    stepSafely(entry);
                }
            }
        }
        return events + 1;
    }

    /** Registers {@code driver} for its device type; devices of that type found from now on are given to it. */
    protected synchronized void register(final String type, final D driver)
    {
        if (drivers.putIfAbsent(type, driver) != null)
        {
            throw new IllegalStateException("a driver for " + type + " is already registered");
        }
        // driver, then request, then signal: the agent that takes the request rescans with the driver, and one
        // that found no request and is about to sleep is woken to take it
        driverRegistered.set(true);
        final Runnable signal = workSignal;
        if (signal != null)
        {
            signal.run();
        }
    }

    /** Adds devices that appeared in the store. */
    abstract void discover();

    /** This end's directory of {@code device}. */
    abstract String ownPath(XenbusDevice device);

    /** The other end's directory. */
    abstract String otherPath(XenbusDevice device);

    /** One evaluation of the device's rules. */
    abstract void step(Entry entry);

    /** The driver gives back what it holds for {@code device} (rings, mappings, ports). */
    abstract void release(D driver, XenbusDevice device);

    /** The driver forgets {@code device}, whose directories are gone. */
    abstract void removeFromDriver(D driver, XenbusDevice device);

    /** Releases what the driver holds for {@code entry}'s device, once: a no-op when it holds nothing. */
    final void disconnect(final Entry entry)
    {
        if (entry.active)
        {
            entry.active = false;
            release(drivers.get(entry.device.type()), entry.device);
        }
    }

    /**
     * Writes this end's negotiation and switches its state, in one transaction retried on EAGAIN; nothing if the
     * toolstack is removing the device ({@link XenbusTransaction#hasState}): the next scan forgets it.
     */
    final void publish(final Entry entry, final XenbusNegotiation negotiation, final XenbusState state)
    {
        final boolean written = xenbus.transaction(ownPath(entry.device), tx ->
        {
            if (!tx.hasState())
            {
                return false;
            }
            negotiation.write(tx);
            tx.writeState(state);
            return true;
        });
        if (written)
        {
            entry.local = state;
        }
    }

    /** The device's directory is gone: release, then let the driver forget it. */
    void removed(final Entry entry)
    {
        disconnect(entry);
        removeFromDriver(drivers.get(entry.device.type()), entry.device);
    }

    /** A step of {@code entry} threw: release what its driver holds (it is about to be closed with an error). */
    void failed(final Entry entry)
    {
        disconnect(entry);
    }

    void track(final XenbusDevice device)
    {
        final Entry entry = new Entry(device);
        entries.put(ownPath(device), entry);
        xenbus.watch(otherPath(device) + "/state", "peer");
    }

    private void forget(final Entry entry)
    {
        try
        {
            xenbus.unwatch(otherPath(entry.device) + "/state", "peer");
        }
        catch (final XsException ignore)
        {
            // already gone with a reset connection
        }
        try
        {
            removed(entry);
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
        }
    }

    private void stepSafely(final Entry entry)
    {
        try
        {
            step(entry);
        }
        catch (final RuntimeException ex)
        {
            entry.failed = true;
            entry.failedPeerState = xenbus.readState(otherPath(entry.device));
            errorHandler.onError(ex);
            try
            {
                // whatever the driver claimed before it failed (mappings, ports, grants) is given back now, not
                // when the toolstack eventually removes the device
                failed(entry);
            }
            catch (final RuntimeException again)
            {
                errorHandler.onError(again);
            }
            try
            {
                publish(entry, tx -> tx.write("error", String.valueOf(ex.getMessage())), XenbusState.CLOSING);
            }
            catch (final RuntimeException again)
            {
                errorHandler.onError(again);
            }
        }
    }

    /** Switches this end's state in the store and locally. */
    /** Switches this end's state; nothing if the toolstack is removing the device (the next scan forgets it). */
    void switchState(final Entry entry, final XenbusState state)
    {
        if (xenbus.switchState(ownPath(entry.device), state))
        {
            entry.local = state;
        }
    }

    /** Children of {@code path}, empty if it does not exist or cannot be read. */
    List<String> children(final String path)
    {
        try
        {
            return xs.directory(0, path);
        }
        catch (final XsException ex)
        {
            if (ex.errno() == XsErrno.ENOENT || ex.errno() == XsErrno.EACCES)
            {
                return List.of();
            }
            throw ex;
        }
    }

    boolean exists(final String path)
    {
        return xs.exists(0, path);
    }

    /** A non-transactional reader of {@code dir}. */
    XenbusTransaction reader(final String dir)
    {
        return new XenbusTransaction(xs, 0, dir);
    }

    @Override
    /** Stops (or dies): releases every device's rings and mappings without touching the store, then disconnects. */
    public void onClose()
    {
        synchronized (this)
        {
            for (final Entry entry : entries.values())
            {
                disconnect(entry);
            }
        }
        xs.close();
    }
}
