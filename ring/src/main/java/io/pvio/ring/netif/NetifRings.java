package io.pvio.ring.netif;

import io.pvio.ring.RingEntryLayout;

/**
 * The netif ring entry types ({@code DEFINE_RING_TYPES(netif_tx, ...)} and {@code (netif_rx, ...)}); the same in
 * every ABI.
 */
public final class NetifRings
{
    /** Transmit ring: 12-byte slots, 256 per 4 KiB page. */
    public static final RingEntryLayout TX = RingEntryLayout.of(
        "netif-tx", NetifTxRequestDescriptor.LENGTH, NetifTxResponseDescriptor.LENGTH,
        NetifTxRequestDescriptor.ALIGNMENT);

    /** Receive ring: 8-byte slots, 256 per 4 KiB page. */
    public static final RingEntryLayout RX = RingEntryLayout.of(
        "netif-rx", NetifRxRequestDescriptor.LENGTH, NetifRxResponseDescriptor.LENGTH,
        NetifRxRequestDescriptor.ALIGNMENT);

    private NetifRings()
    {
    }
}
