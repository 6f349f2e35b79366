package io.pvio.ring.netif;

/**
 * Layout of {@code struct netif_tx_request} ({@code xen/io/netif.h}): one slot of a packet the front end transmits.
 * The same in every ABI.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        gref (grant_ref_t, u32)                |  0
 *  +-------------------------------+-------------------------------+
 *  |      offset (u16)             |      flags (u16, NETTXF_*)    |  4
 *  +-------------------------------+-------------------------------+
 *  |      id (u16)                 |      size (u16)               |  8
 *  +-------------------------------+-------------------------------+
 *                                                                    12
 * </pre>
 *
 * <ul>
 *   <li>offset + size (of this slot's data) must lie within the 4 KiB granted page.</li>
 *   <li>size: in the first slot of a packet, the whole packet's length; in the others, this slot's.</li>
 *   <li>id: echoed in the tx response.</li>
 *   <li>A slot following one with {@code NETTXF_extra_info} (or an extra with FLAG_MORE) holds a
 *       {@code netif_extra_info} instead ({@link NetifExtraInfoDescriptor}).</li>
 * </ul>
 */
public final class NetifTxRequestDescriptor
{
    public static final int GREF_OFFSET = 0;
    public static final int OFFSET_OFFSET = 4;
    public static final int FLAGS_OFFSET = 6;
    public static final int ID_OFFSET = 8;
    public static final int SIZE_OFFSET = 10;
    /** {@code sizeof(struct netif_tx_request)}. */
    public static final int LENGTH = 12;
    /** u32 gref: the ring entry union is 4-byte aligned. */
    public static final int ALIGNMENT = 4;

    private NetifTxRequestDescriptor()
    {
    }
}
