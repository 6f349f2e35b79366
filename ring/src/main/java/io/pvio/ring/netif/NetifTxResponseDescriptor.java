package io.pvio.ring.netif;

/**
 * Layout of {@code struct netif_tx_response} ({@code xen/io/netif.h}).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      id (u16)                 |      status (s16, NETIF_RSP_*)|  0
 *  +-------------------------------+-------------------------------+
 *                                                                    4
 * </pre>
 *
 * <ul>
 *   <li>id: the request's id; extra info slots are answered with {@code NETIF_RSP_NULL}.</li>
 *   <li>No padding; a response is written whole as one u32 ({@link #word(int, int)}).</li>
 * </ul>
 */
public final class NetifTxResponseDescriptor
{
    public static final int ID_OFFSET = 0;
    public static final int STATUS_OFFSET = 2;
    /** {@code sizeof(struct netif_tx_response)}. */
    public static final int LENGTH = 4;

    private NetifTxResponseDescriptor()
    {
    }

    /** The whole response as one little-endian u32: id in bytes 0..1, status in bytes 2..3. */
    public static int word(final int id, final int status)
    {
        return (id & 0xFFFF) | ((status & 0xFFFF) << 16);
    }
}
