package io.pvio.hypervisor.xenbus;

/**
 * A front-end driver for one device type. The {@link XenbusFrontendBus} discovers devices and drives the
 * handshake; the driver only negotiates and runs its data path. All calls come from the bus's agent thread.
 */
public interface XenbusFrontendDriver
{
    /** The device type served, e.g. {@code vbd}. */
    String deviceType();

    /** A device appeared. Allocate nothing shared yet. */
    void probe(XenbusDevice device);

    /**
     * The back end is in InitWait: read its features from {@code backend} (untrusted: validate), set up rings and
     * event channel, and return what to publish; the bus writes it with state Initialised in one transaction.
     */
    XenbusNegotiation initialise(XenbusDevice device, XenbusTransaction backend);

    /** The back end is Connected: start the data path. The bus then switches to Connected. */
    void connected(XenbusDevice device, XenbusTransaction backend);

    /** The back end is closing, went away or restarted: stop the data path and release rings. Idempotent. */
    void disconnect(XenbusDevice device);

    /** The device was detached (its directory removed). Called after {@link #disconnect}. */
    void remove(XenbusDevice device);
}
