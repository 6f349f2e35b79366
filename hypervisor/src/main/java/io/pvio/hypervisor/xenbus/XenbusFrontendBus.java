package io.pvio.hypervisor.xenbus;

import io.pvio.hypervisor.xenstore.XenStoreAccess;
import org.agrona.ErrorHandler;

/**
 * The front-end half of the driver framework, running in a guest: finds {@code device/<type>/<id>} under its home
 * for every registered {@link XenbusFrontendDriver}, and drives Initialising -&gt; Initialised -&gt; Connected
 * against the back end's state, Closing/Closed when the back end closes, re-initialisation when the back end
 * restarts (its state drops back to InitWait), and removal when the toolstack deletes the directory.
 * <p>
 * An Agrona agent; the XenStore connection given acts as the guest (use an unprivileged one).
 */
public final class XenbusFrontendBus extends XenbusBus<XenbusFrontendDriver>
{
    private final int domid;

    public XenbusFrontendBus(final XenStoreAccess guestXs, final ErrorHandler errorHandler)
    {
        super(guestXs, "/local/domain/" + guestXs.domid() + "/device", errorHandler);
        this.domid = guestXs.domid();
    }

    /** Registers a driver for its {@link XenbusFrontendDriver#deviceType()}. */
    public void register(final XenbusFrontendDriver driver)
    {
        register(driver.deviceType(), driver);
    }

    @Override
    public String roleName()
    {
        return "xenbus-front-d" + domid;
    }

    @Override
    void discover()
    {
        for (final String type : drivers.keySet())
        {
            final String typePath = "/local/domain/" + domid + "/device/" + type;
            for (final String id : children(typePath))
            {
                if (entries.containsKey(typePath + "/" + id))
                {
                    continue;
                }
                final XenbusTransaction dir = reader(typePath + "/" + id);
                final int backendDomid = dir.readInt("backend-id", 0, 0x7FEF, -1);
                if (backendDomid < 0)
                {
                    continue; // the toolstack has not finished writing it
                }
                final XenbusDevice device = new XenbusDevice(type, id, domid, backendDomid);
                if (!device.backendPath().equals(dir.read("backend")))
                {
                    continue;
                }
                track(device);
                drivers.get(type).probe(device);
            }
        }
    }

    @Override
    String ownPath(final XenbusDevice device)
    {
        return device.frontendPath();
    }

    @Override
    String otherPath(final XenbusDevice device)
    {
        return device.backendPath();
    }

    @Override
    void step(final Entry entry)
    {
        final XenbusFrontendDriver driver = drivers.get(entry.device.type());
        final XenbusState backend = xenbus.readState(entry.device.backendPath());
        switch (backend)
        {
            case UNKNOWN, INITIALISING, INITIALISED, RECONFIGURING, RECONFIGURED ->
            {
                // back end not ready, or gone without closing (it may restart): wait
            }
            case INIT_WAIT ->
            {
                if (entry.local == XenbusState.CONNECTED)
                {
                    // the back end restarted under us: it lost our rings; set up again
                    disconnect(entry);
                    entry.local = XenbusState.INITIALISING;
                }
                if (entry.local == XenbusState.INITIALISING || entry.local == XenbusState.CLOSED)
                {
                    initialise(entry, driver);
                }
                // INITIALISED: the back end has not seen our details yet; nothing to do
            }
            case CONNECTED ->
            {
                if (entry.local == XenbusState.INITIALISED)
                {
                    driver.connected(entry.device, reader(entry.device.backendPath()));
                    switchState(entry, XenbusState.CONNECTED);
                }
            }
            case CLOSING, CLOSED ->
            {
                if (entry.local != XenbusState.CLOSED)
                {
                    disconnect(entry);
                    switchState(entry, XenbusState.CLOSING);
                    switchState(entry, XenbusState.CLOSED);
                }
            }
        }
    }

    private void initialise(final Entry entry, final XenbusFrontendDriver driver)
    {
        final XenbusNegotiation negotiation = driver.initialise(entry.device, reader(entry.device.backendPath()));
        entry.active = true;
        publish(entry, negotiation, XenbusState.INITIALISED);
    }

    @Override
    void release(final XenbusFrontendDriver driver, final XenbusDevice device)
    {
        driver.disconnect(device);
    }

    @Override
    void removeFromDriver(final XenbusFrontendDriver driver, final XenbusDevice device)
    {
        driver.remove(device);
    }
}
