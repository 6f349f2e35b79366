package io.pvio.hypervisor.xenbus;

import io.pvio.hypervisor.xenstore.XenStoreAccess;
import org.agrona.ErrorHandler;

/**
 * The back-end half of the driver framework, running in dom0 or a driver domain: finds
 * {@code backend/<type>/<frontend domid>/<id>} under its home for every registered {@link XenbusBackendDriver},
 * advertises features with InitWait, connects when the front end is Initialised, closes when the front end closes
 * or the toolstack sets {@code online} to 0 (detach), and resets to InitWait when an online front end closes, so it
 * may reconnect. A new bus over existing directories (a restarted back end) probes them afresh: it overwrites the
 * stale state with InitWait and waits for the front end to initialise again.
 * <p>
 * An Agrona agent over the back end domain's XenStore connection.
 */
public final class XenbusBackendBus extends XenbusBus<XenbusBackendDriver>
{
    private final int domid;

    public XenbusBackendBus(final XenStoreAccess backendXs, final ErrorHandler errorHandler)
    {
        super(backendXs, "/local/domain/" + backendXs.domid() + "/backend", errorHandler);
        this.domid = backendXs.domid();
    }

    /** Registers a driver for its {@link XenbusBackendDriver#deviceType()}. */
    public void register(final XenbusBackendDriver driver)
    {
        register(driver.deviceType(), driver);
    }

    @Override
    public String roleName()
    {
        return "xenbus-back-d" + domid;
    }

    @Override
    void discover()
    {
        for (final String type : drivers.keySet())
        {
            final String typePath = "/local/domain/" + domid + "/backend/" + type;
            for (final String front : children(typePath))
            {
                for (final String id : children(typePath + "/" + front))
                {
                    final String path = typePath + "/" + front + "/" + id;
                    if (!entries.containsKey(path))
                    {
                        probe(type, path, id);
                    }
                }
            }
        }
    }

    private void probe(final String type, final String path, final String id)
    {
        final XenbusTransaction dir = reader(path);
        final int frontendDomid = dir.readInt("frontend-id", 0, 0x7FEF, -1);
        if (frontendDomid < 0)
        {
            return; // the toolstack has not finished writing it
        }
        final XenbusDevice device = new XenbusDevice(type, id, frontendDomid, domid);
        if (!device.backendPath().equals(path) || !device.frontendPath().equals(dir.read("frontend")))
        {
            return;
        }
        track(device);
        publish(entries.get(path), drivers.get(type).probe(device), XenbusState.INIT_WAIT);
    }

    @Override
    String ownPath(final XenbusDevice device)
    {
        return device.backendPath();
    }

    @Override
    String otherPath(final XenbusDevice device)
    {
        return device.frontendPath();
    }

    @Override
    void step(final Entry entry)
    {
        final XenbusBackendDriver driver = drivers.get(entry.device.type());
        final XenbusState frontend = xenbus.readState(entry.device.frontendPath());
        if (!reader(entry.device.backendPath()).readFlag("online", true))
        {
            // the toolstack is detaching: close, then Closed once the front end has
            if (entry.local != XenbusState.CLOSING && entry.local != XenbusState.CLOSED)
            {
                disconnect(entry);
                switchState(entry, XenbusState.CLOSING);
            }
            if (entry.local == XenbusState.CLOSING &&
                (frontend == XenbusState.CLOSED || frontend == XenbusState.UNKNOWN))
            {
                switchState(entry, XenbusState.CLOSED);
            }
            return;
        }
        switch (frontend)
        {
            case UNKNOWN, INITIALISING, INIT_WAIT, RECONFIGURING, RECONFIGURED ->
            {
                // front end not ready yet (or gone): nothing to connect to
            }
            case INITIALISED ->
            {
                // CONNECTED: the front end has not seen our Connected yet. A front end only initialises afresh
                // after seeing us in InitWait (a restarted back end), so Initialised never means "reconnect" here.
                if (entry.local == XenbusState.INIT_WAIT)
                {
                    connect(entry, driver);
                }
            }
            case CONNECTED ->
            {
                // normal once connected; while we are in InitWait it is stale (we restarted): wait for Initialised
            }
            case CLOSING ->
            {
                if (entry.local == XenbusState.INIT_WAIT || entry.local == XenbusState.CONNECTED)
                {
                    disconnect(entry);
                    switchState(entry, XenbusState.CLOSING);
                }
            }
            case CLOSED ->
            {
                // the front end closed but the device stays attached: reset so that it may connect again
                disconnect(entry);
                if (entry.local != XenbusState.INIT_WAIT)
                {
                    switchState(entry, XenbusState.INIT_WAIT);
                }
            }
        }
    }

    private void connect(final Entry entry, final XenbusBackendDriver driver)
    {
        entry.active = true;
        final XenbusNegotiation published = driver.connect(entry.device, reader(entry.device.frontendPath()));
        publish(entry, published, XenbusState.CONNECTED);
    }

    @Override
    void release(final XenbusBackendDriver driver, final XenbusDevice device)
    {
        driver.disconnect(device);
    }

    @Override
    void removeFromDriver(final XenbusBackendDriver driver, final XenbusDevice device)
    {
        driver.remove(device);
    }
}
