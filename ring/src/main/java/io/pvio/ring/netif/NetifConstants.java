package io.pvio.ring.netif;

/**
 * The protocol constants of {@code xen/io/netif.h} that belong to no single layout: request/response flags, extra
 * info types and flags, GSO types, response statuses and size limits. Field offsets live in the descriptors.
 */
public final class NetifConstants
{
    // ---- netif_tx_request.flags ----
    /** Protocol checksum field is blank in the packet (hardware offload). */
    public static final int NETTXF_CSUM_BLANK = 1;
    /** Packet data has been validated against its protocol checksum. */
    public static final int NETTXF_DATA_VALIDATED = 1 << 1;
    /** Packet continues in the next request. */
    public static final int NETTXF_MORE_DATA = 1 << 2;
    /** Packet is followed by extra info slot(s). */
    public static final int NETTXF_EXTRA_INFO = 1 << 3;

    // ---- netif_rx_response.flags ----
    /** Packet data has been validated against its protocol checksum. */
    public static final int NETRXF_DATA_VALIDATED = 1;
    /** Protocol checksum field is blank in the packet (hardware offload). */
    public static final int NETRXF_CSUM_BLANK = 1 << 1;
    /** Packet continues in the next response. */
    public static final int NETRXF_MORE_DATA = 1 << 2;
    /** Packet is followed by extra info slot(s). */
    public static final int NETRXF_EXTRA_INFO = 1 << 3;
    /** Packet has a GSO prefix (deprecated, kept for compatibility). */
    public static final int NETRXF_GSO_PREFIX = 1 << 4;

    // ---- netif_extra_info.type ----
    /** Never used: invalid. */
    public static final int XEN_NETIF_EXTRA_TYPE_NONE = 0;
    /** u.gso. */
    public static final int XEN_NETIF_EXTRA_TYPE_GSO = 1;
    /** u.mcast. */
    public static final int XEN_NETIF_EXTRA_TYPE_MCAST_ADD = 2;
    /** u.mcast. */
    public static final int XEN_NETIF_EXTRA_TYPE_MCAST_DEL = 3;
    /** u.hash. */
    public static final int XEN_NETIF_EXTRA_TYPE_HASH = 4;
    /** One past the last type. */
    public static final int XEN_NETIF_EXTRA_TYPE_MAX = 5;

    // ---- netif_extra_info.flags ----
    /** Another extra info slot follows. */
    public static final int XEN_NETIF_EXTRA_FLAG_MORE = 1;

    // ---- u.gso.type ----
    public static final int XEN_NETIF_GSO_TYPE_NONE = 0;
    public static final int XEN_NETIF_GSO_TYPE_TCPV4 = 1;
    public static final int XEN_NETIF_GSO_TYPE_TCPV6 = 2;

    // ---- u.hash.type: bit numbers of the hash types (_XEN_NETIF_CTRL_HASH_TYPE_*) ----
    public static final int XEN_NETIF_CTRL_HASH_TYPE_IPV4_BIT = 0;
    public static final int XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP_BIT = 1;
    public static final int XEN_NETIF_CTRL_HASH_TYPE_IPV6_BIT = 2;
    public static final int XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP_BIT = 3;

    // ---- u.hash.algorithm ----
    public static final int XEN_NETIF_CTRL_HASH_ALGORITHM_NONE = 0;
    public static final int XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ = 1;

    // ---- response statuses ----
    public static final int NETIF_RSP_DROPPED = -2;
    public static final int NETIF_RSP_ERROR = -1;
    public static final int NETIF_RSP_OKAY = 0;
    /** No response: used for auxiliary requests (extra info slots). */
    public static final int NETIF_RSP_NULL = 1;

    // ---- limits ----
    /** Slots a back end must accept for one packet, at least. */
    public static final int XEN_NETIF_NR_SLOTS_MIN = 18;
    /** Largest packet (tx size field of the first slot is its total length). */
    public static final int XEN_NETIF_MAX_TX_SIZE = 0xFFFF;

    private NetifConstants()
    {
    }
}
