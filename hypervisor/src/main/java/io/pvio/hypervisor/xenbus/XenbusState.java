package io.pvio.hypervisor.xenbus;

/**
 * {@code enum xenbus_state} ({@code xen/io/xenbus.h}): the handshake states each end publishes in its
 * {@code state} node, as a decimal string.
 */
public enum XenbusState
{
    UNKNOWN(0),
    INITIALISING(1),
    /** Back end: ready for the front end's details (features are published). */
    INIT_WAIT(2),
    /** Front end: ring references and event channel are published. */
    INITIALISED(3),
    CONNECTED(4),
    CLOSING(5),
    CLOSED(6),
    RECONFIGURING(7),
    RECONFIGURED(8);

    private static final XenbusState[] BY_CODE = values();

    private final int code;

    XenbusState(final int code)
    {
        this.code = code;
    }

    /** The value in {@code xenbus.h}. */
    public int code()
    {
        return code;
    }

    /** The state a peer wrote, or {@link #UNKNOWN} for anything absent or malformed (the peer is not trusted). */
    public static XenbusState parse(final String text)
    {
        if (text == null || text.length() != 1 || text.charAt(0) < '0' || text.charAt(0) > '8')
        {
            return UNKNOWN;
        }
        return BY_CODE[text.charAt(0) - '0'];
    }

    /** The node value, e.g. {@code "4"}. */
    public String text()
    {
        return Integer.toString(code);
    }
}
