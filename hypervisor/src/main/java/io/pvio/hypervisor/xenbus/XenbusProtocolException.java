package io.pvio.hypervisor.xenbus;

/** The other end published something malformed or out of range; the device goes to Closing with an error. */
public final class XenbusProtocolException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public XenbusProtocolException(final String message)
    {
        super(message);
    }
}
