package io.pvio.ring.netif;

/**
 * Layout of {@code struct netif_rx_response} ({@code xen/io/netif.h}): one slot of a received packet.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      id (u16)                 |      offset (u16)             |  0
 *  +-------------------------------+-------------------------------+
 *  |      flags (u16, NETRXF_*)    |      status (s16)             |  4
 *  +-------------------------------+-------------------------------+
 *                                                                    8
 * </pre>
 *
 * <ul>
 *   <li>status &gt; 0: bytes of data at offset in the posted page; status &lt; 0: a {@code NETIF_RSP_*} error.</li>
 *   <li>A slot following one with {@code NETRXF_extra_info} holds a {@code netif_extra_info}
 *       ({@link NetifExtraInfoDescriptor}) instead.</li>
 *   <li>No padding; a response is written whole as one u64 ({@link #word(int, int, int, int)}).</li>
 * </ul>
 */
public final class NetifRxResponseDescriptor
{
    public static final int ID_OFFSET = 0;
    public static final int OFFSET_OFFSET = 2;
    public static final int FLAGS_OFFSET = 4;
    public static final int STATUS_OFFSET = 6;
    /** {@code sizeof(struct netif_rx_response)}. */
    public static final int LENGTH = 8;

    private NetifRxResponseDescriptor()
    {
    }

    /** The whole response as one little-endian u64. */
    public static long word(final int id, final int offset, final int flags, final int status)
    {
        return (id & 0xFFFFL) | ((offset & 0xFFFFL) << 16) | ((flags & 0xFFFFL) << 32) | ((status & 0xFFFFL) << 48);
    }
}
