package io.pvio.hypervisor.xenbus;

/**
 * A back-end driver for one device type. The {@link XenbusBackendBus} discovers devices and drives the handshake;
 * the driver only negotiates and runs its data path. All calls come from the bus's agent thread.
 */
public interface XenbusBackendDriver
{
    /** The device type served, e.g. {@code vbd}. */
    String deviceType();

    /** A device appeared (or the back end restarted): return the features to advertise with InitWait. */
    XenbusNegotiation probe(XenbusDevice device);

    /**
     * The front end is Initialised: read its details from {@code frontend} (untrusted: validate every key, throw
     * {@link XenbusProtocolException}), map rings, bind the event channel, and return what to publish with
     * Connected. On an exception the bus writes {@code error} and closes the device.
     */
    XenbusNegotiation connect(XenbusDevice device, XenbusTransaction frontend);

    /** The front end closed, the device is being detached, or the back end stops: unmap and unbind. Idempotent. */
    void disconnect(XenbusDevice device);

    /** The device was removed. Called after {@link #disconnect}. */
    void remove(XenbusDevice device);
}
