package io.pvio.ring.netif;

/**
 * Layout of {@code struct netif_rx_request} ({@code xen/io/netif.h}): a page the front end posts for received data.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      id (u16)                 |      pad (u16)                |  0
 *  +-------------------------------+-------------------------------+
 *  |                        gref (grant_ref_t, u32)                |  4
 *  +---------------------------------------------------------------+
 *                                                                    8
 * </pre>
 *
 * <ul>
 *   <li>id: echoed in the rx response that fills this page.</li>
 *   <li>pad is written as zero.</li>
 * </ul>
 */
public final class NetifRxRequestDescriptor
{
    public static final int ID_OFFSET = 0;
    public static final int PAD_OFFSET = 2;
    public static final int GREF_OFFSET = 4;
    /** {@code sizeof(struct netif_rx_request)}. */
    public static final int LENGTH = 8;
    /** u32 gref: the ring entry union is 4-byte aligned. */
    public static final int ALIGNMENT = 4;

    private NetifRxRequestDescriptor()
    {
    }
}
