package io.pvio.ring.netif;

/**
 * Layout of {@code struct netif_extra_info} ({@code xen/io/netif.h}): auxiliary information occupying a tx request
 * slot or an rx response slot, announced by the previous slot's {@code NETTXF_extra_info}/{@code NETRXF_extra_info}
 * or the previous extra's {@code XEN_NETIF_EXTRA_FLAG_MORE}. Bytes 2..7 are a union selected by type.
 *
 * <pre>
 *    0     1     2     3     4     5     6     7   octet
 *  +-----+-----+-----+-----+-----+-----+-----+-----+
 *  |type |flags|  gso.size |gtype| pad | features  |  type GSO
 *  +-----+-----+-----+-----+-----+-----+-----+-----+
 *  |type |flags|      mcast.addr[6] (MAC)          |  type MCAST_ADD / MCAST_DEL
 *  +-----+-----+-----+-----+-----+-----+-----+-----+
 *  |type |flags|htype| alg |   hash.value[4] (LE)  |  type HASH
 *  +-----+-----+-----+-----+-----+-----+-----+-----+
 * </pre>
 *
 * <ul>
 *   <li>type: a {@code XEN_NETIF_EXTRA_TYPE_*}, NONE never valid.</li>
 *   <li>flags: {@code XEN_NETIF_EXTRA_FLAG_MORE} if another extra follows.</li>
 *   <li>gso.size: MSS; gso.type: a {@code XEN_NETIF_GSO_TYPE_*}; gso.pad and gso.features written as zero.</li>
 *   <li>Union bytes not used by the type are written as zero.</li>
 *   <li>8 bytes: fits both a 12-byte tx request and an 8-byte rx response slot.</li>
 * </ul>
 */
public final class NetifExtraInfoDescriptor
{
    public static final int TYPE_OFFSET = 0;
    public static final int FLAGS_OFFSET = 1;
    /** {@code offsetof(struct netif_extra_info, u)}. */
    public static final int UNION_OFFSET = 2;
    public static final int UNION_LENGTH = 6;

    public static final int GSO_SIZE_OFFSET = 2;
    public static final int GSO_TYPE_OFFSET = 4;
    public static final int GSO_PAD_OFFSET = 5;
    public static final int GSO_FEATURES_OFFSET = 6;

    public static final int MCAST_ADDR_OFFSET = 2;
    public static final int MCAST_ADDR_LENGTH = 6;

    public static final int HASH_TYPE_OFFSET = 2;
    public static final int HASH_ALGORITHM_OFFSET = 3;
    public static final int HASH_VALUE_OFFSET = 4;
    public static final int HASH_VALUE_LENGTH = 4;

    /** {@code sizeof(struct netif_extra_info)}. */
    public static final int LENGTH = 8;

    private NetifExtraInfoDescriptor()
    {
    }
}
