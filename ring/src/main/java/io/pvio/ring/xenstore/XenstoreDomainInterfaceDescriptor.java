package io.pvio.ring.xenstore;

/**
 * Layout of {@code struct xenstore_domain_interface} ({@code xen/io/xs_wire.h}, Xen 4.17): a guest's XenStore page,
 * two byte rings carrying {@code xs_wire} messages and their free-running indices.
 *
 * <pre>
 *  +---------------------------------------------------------------+
 *  | req[1024]   guest -&gt; xenstored (requests)                     |    0
 *  +---------------------------------------------------------------+
 *  | rsp[1024]   xenstored -&gt; guest (replies and watch events)     | 1024
 *  +---------------+---------------+---------------+---------------+
 *  | req_cons u32  | req_prod u32  | rsp_cons u32  | rsp_prod u32  | 2048
 *  +---------------+---------------+---------------+---------------+
 *  | server_features u32 | connection u32 | error u32              | 2064
 *  +---------------------+----------------+------------------------+
 *                                                                    2076
 * </pre>
 *
 * <ul>
 *   <li>Indices ({@code XENSTORE_RING_IDX}, u32) run freely and wrap at 2<sup>32</sup>; byte i of a ring is at
 *       {@code MASK_XENSTORE_IDX(i)} = i &amp; 1023.</li>
 *   <li>req_prod, rsp_cons are written by the guest; req_cons, rsp_prod, server_features and error by xenstored.</li>
 *   <li>0 &lt;= prod - cons &lt;= 1024 (wrapping subtraction); anything else is {@code XENSTORE_ERROR_RINGIDX}.</li>
 * </ul>
 */
public final class XenstoreDomainInterfaceDescriptor
{
    public static final int REQ_OFFSET = 0;
    public static final int RSP_OFFSET = 1024;
    /** {@code XENSTORE_RING_SIZE}: both rings. */
    public static final int RING_SIZE = 1024;
    public static final int REQ_CONS_OFFSET = 2048;
    public static final int REQ_PROD_OFFSET = 2052;
    public static final int RSP_CONS_OFFSET = 2056;
    public static final int RSP_PROD_OFFSET = 2060;
    public static final int SERVER_FEATURES_OFFSET = 2064;
    public static final int CONNECTION_OFFSET = 2068;
    public static final int ERROR_OFFSET = 2072;
    /** {@code sizeof(struct xenstore_domain_interface)}. */
    public static final int LENGTH = 2076;

    /** {@code XENSTORE_SERVER_FEATURE_ERROR}: the server reports errors in {@code error}. */
    public static final int SERVER_FEATURE_ERROR = 2;
    /** {@code XENSTORE_CONNECTED}. */
    public static final int CONNECTED = 0;
    /** {@code XENSTORE_ERROR_NONE}. */
    public static final int ERROR_NONE = 0;
    /** {@code XENSTORE_ERROR_RINGIDX}: an impossible index. */
    public static final int ERROR_RINGIDX = 2;
    /** {@code XENSTORE_ERROR_PROTO}: a protocol violation. */
    public static final int ERROR_PROTO = 3;

    private XenstoreDomainInterfaceDescriptor()
    {
    }

    /** {@code MASK_XENSTORE_IDX}. */
    public static int maskIndex(final int index)
    {
        return index & (RING_SIZE - 1);
    }

    /** Bytes between {@code cons} and {@code prod}, or -1 if impossible. */
    public static int usedBytes(final int prod, final int cons)
    {
        final int used = prod - cons;
        return Integer.compareUnsigned(used, RING_SIZE) > 0 ? -1 : used;
    }

    /** The page holds the whole interface, 4-byte aligned for the index atomics. */
    public static void checkRegion(final int offset, final int capacityBytes)
    {
        if (offset < 0 || (offset & 3) != 0 || (long)offset + LENGTH > capacityBytes)
        {
            throw new IllegalArgumentException("xenstore_domain_interface of " + LENGTH + " bytes must start 4-byte " +
                "aligned inside a buffer of " + capacityBytes + " bytes: offset " + offset);
        }
    }
}
