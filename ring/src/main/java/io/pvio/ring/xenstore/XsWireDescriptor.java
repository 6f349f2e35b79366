package io.pvio.ring.xenstore;

/**
 * Layout of {@code struct xsd_sockmsg} ({@code xen/io/xs_wire.h}, Xen 4.17), the header of every XenStore message on
 * a socket or a domain's XenStore ring, plus the protocol's operation codes and limits.
 *
 * <pre>
 *  +---------------+---------------+---------------+---------------+
 *  | type u32      | req_id u32    | tx_id u32     | len u32       |  0
 *  +---------------+---------------+---------------+---------------+
 *  | payload[len]: NUL-terminated strings (a value may lack the NUL) | 16
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>All fields little-endian (the native order of every Xen guest ABI pvio mirrors).</li>
 *   <li>{@code len <= XENSTORE_PAYLOAD_MAX} (4096); a longer message is a protocol error.</li>
 *   <li>{@code req_id} and {@code tx_id} are echoed in the reply; watch events carry 0 in both.</li>
 *   <li>{@code type} is one of the {@code XS_*} codes below; anything else is answered with {@code XS_ERROR}.</li>
 * </ul>
 */
public final class XsWireDescriptor
{
    public static final int TYPE_OFFSET = 0;
    public static final int REQ_ID_OFFSET = 4;
    public static final int TX_ID_OFFSET = 8;
    public static final int LEN_OFFSET = 12;
    /** {@code sizeof(struct xsd_sockmsg)}. */
    public static final int HEADER_LENGTH = 16;

    /** {@code XENSTORE_PAYLOAD_MAX}. */
    public static final int PAYLOAD_MAX = 4096;
    /** {@code XENSTORE_ABS_PATH_MAX}. */
    public static final int ABS_PATH_MAX = 3072;
    /** {@code XENSTORE_REL_PATH_MAX}. */
    public static final int REL_PATH_MAX = 2048;
    /** Largest whole message. */
    public static final int MESSAGE_MAX = HEADER_LENGTH + PAYLOAD_MAX;

    public static final int XS_CONTROL = 0;
    public static final int XS_DIRECTORY = 1;
    public static final int XS_READ = 2;
    public static final int XS_GET_PERMS = 3;
    public static final int XS_WATCH = 4;
    public static final int XS_UNWATCH = 5;
    public static final int XS_TRANSACTION_START = 6;
    public static final int XS_TRANSACTION_END = 7;
    public static final int XS_INTRODUCE = 8;
    public static final int XS_RELEASE = 9;
    public static final int XS_GET_DOMAIN_PATH = 10;
    public static final int XS_WRITE = 11;
    public static final int XS_MKDIR = 12;
    public static final int XS_RM = 13;
    public static final int XS_SET_PERMS = 14;
    public static final int XS_WATCH_EVENT = 15;
    public static final int XS_ERROR = 16;
    public static final int XS_IS_DOMAIN_INTRODUCED = 17;
    public static final int XS_RESUME = 18;
    public static final int XS_SET_TARGET = 19;
    public static final int XS_RESET_WATCHES = 21;
    public static final int XS_DIRECTORY_PART = 22;
    /** {@code XS_TYPE_COUNT}: every valid type is below this. */
    public static final int XS_TYPE_COUNT = 23;

    private XsWireDescriptor()
    {
    }

    /** Whether a declared payload length is acceptable ({@code len} read as unsigned). */
    public static boolean isValidPayloadLength(final int len)
    {
        return Integer.compareUnsigned(len, PAYLOAD_MAX) <= 0;
    }

    /** The {@code XS_*} name of {@code type}, for logs, or {@code "XS_INVALID"}. */
    public static String typeName(final int type)
    {
        return switch (type)
        {
            case XS_CONTROL -> "XS_CONTROL";
            case XS_DIRECTORY -> "XS_DIRECTORY";
            case XS_READ -> "XS_READ";
            case XS_GET_PERMS -> "XS_GET_PERMS";
            case XS_WATCH -> "XS_WATCH";
            case XS_UNWATCH -> "XS_UNWATCH";
            case XS_TRANSACTION_START -> "XS_TRANSACTION_START";
            case XS_TRANSACTION_END -> "XS_TRANSACTION_END";
            case XS_INTRODUCE -> "XS_INTRODUCE";
            case XS_RELEASE -> "XS_RELEASE";
            case XS_GET_DOMAIN_PATH -> "XS_GET_DOMAIN_PATH";
            case XS_WRITE -> "XS_WRITE";
            case XS_MKDIR -> "XS_MKDIR";
            case XS_RM -> "XS_RM";
            case XS_SET_PERMS -> "XS_SET_PERMS";
            case XS_WATCH_EVENT -> "XS_WATCH_EVENT";
            case XS_ERROR -> "XS_ERROR";
            case XS_IS_DOMAIN_INTRODUCED -> "XS_IS_DOMAIN_INTRODUCED";
            case XS_RESUME -> "XS_RESUME";
            case XS_SET_TARGET -> "XS_SET_TARGET";
            case XS_RESET_WATCHES -> "XS_RESET_WATCHES";
            case XS_DIRECTORY_PART -> "XS_DIRECTORY_PART";
            default -> "XS_INVALID";
        };
    }
}
