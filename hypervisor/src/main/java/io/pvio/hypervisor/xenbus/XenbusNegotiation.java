package io.pvio.hypervisor.xenbus;

/**
 * What one end publishes in its directory during the handshake: a driver's typed negotiation record (STYLE 10)
 * implements this. {@link #write} may run more than once (the transaction is retried on EAGAIN), so it must only
 * write keys.
 */
@FunctionalInterface
public interface XenbusNegotiation
{
    /** Publishes nothing. */
    XenbusNegotiation NONE = tx -> { };

    void write(XenbusTransaction tx);
}
