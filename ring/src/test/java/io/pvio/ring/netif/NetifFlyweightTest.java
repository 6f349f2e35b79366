package io.pvio.ring.netif;

import io.pvio.ring.SharedMemory;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.pvio.ring.netif.NetifConstants.NETIF_RSP_DROPPED;
import static io.pvio.ring.netif.NetifConstants.NETIF_RSP_NULL;
import static io.pvio.ring.netif.NetifConstants.NETRXF_EXTRA_INFO;
import static io.pvio.ring.netif.NetifConstants.NETRXF_MORE_DATA;
import static io.pvio.ring.netif.NetifConstants.NETTXF_CSUM_BLANK;
import static io.pvio.ring.netif.NetifConstants.NETTXF_MORE_DATA;
import static io.pvio.ring.netif.NetifConstants.XEN_NETIF_EXTRA_FLAG_MORE;
import static io.pvio.ring.netif.NetifConstants.XEN_NETIF_EXTRA_TYPE_GSO;
import static io.pvio.ring.netif.NetifConstants.XEN_NETIF_EXTRA_TYPE_HASH;
import static io.pvio.ring.netif.NetifConstants.XEN_NETIF_EXTRA_TYPE_MCAST_ADD;
import static io.pvio.ring.netif.NetifConstants.XEN_NETIF_GSO_TYPE_TCPV6;
import static org.junit.jupiter.api.Assertions.assertEquals;

class NetifFlyweightTest
{
    private static final int SLOT = 64;
    private static final byte DIRTY = (byte)0xC3;

    private AtomicBuffer buffer;

    @BeforeEach
    void setUp()
    {
        buffer = SharedMemory.allocateOffHeap(4096).buffer();
        buffer.setMemory(0, buffer.capacity(), DIRTY);
    }

    @Test
    void ringLayoutsHold256EntriesPerPage()
    {
        assertEquals(12, NetifRings.TX.entryBytes());
        assertEquals(8, NetifRings.RX.entryBytes());
        assertEquals(256, NetifRings.TX.ringSize(0));
        assertEquals(256, NetifRings.RX.ringSize(0));
        assertEquals(4096, NetifRings.TX.ringSize(4));
    }

    @Test
    void txRequestRoundTrip()
    {
        final NetifTxRequestFlyweight request = new NetifTxRequestFlyweight().wrap(buffer, SLOT)
            .write(0x8000_0001, 4000, NETTXF_CSUM_BLANK | NETTXF_MORE_DATA, 0xFFFF, 0xFFFF);

        assertEquals(0x8000_0001, buffer.getInt(SLOT));
        assertEquals(4000, buffer.getShort(SLOT + 4));
        assertEquals(NETTXF_CSUM_BLANK | NETTXF_MORE_DATA, buffer.getShort(SLOT + 6));
        assertEquals((short)0xFFFF, buffer.getShort(SLOT + 8));
        assertEquals((short)0xFFFF, buffer.getShort(SLOT + 10));
        assertEquals(DIRTY, buffer.getByte(SLOT + 12));
        assertEquals(0x8000_0001, request.gref());
        assertEquals(4000, request.pageOffset());
        assertEquals(NETTXF_CSUM_BLANK | NETTXF_MORE_DATA, request.flags());
        assertEquals(0xFFFF, request.id());
        assertEquals(0xFFFF, request.sizeBytes());
    }

    @Test
    void txResponseWritesIdAndSignedStatus()
    {
        final NetifTxResponseFlyweight response = new NetifTxResponseFlyweight().wrap(buffer, SLOT)
            .write(0xABCD, NETIF_RSP_DROPPED);
        assertEquals((short)0xABCD, buffer.getShort(SLOT));
        assertEquals(NETIF_RSP_DROPPED, buffer.getShort(SLOT + 2));
        assertEquals(DIRTY, buffer.getByte(SLOT + 4));
        assertEquals(0xABCD, response.id());
        assertEquals(NETIF_RSP_DROPPED, response.status());
        assertEquals(NETIF_RSP_NULL, response.write(1, NETIF_RSP_NULL).status());
    }

    @Test
    void rxRequestZeroesItsPadding()
    {
        final NetifRxRequestFlyweight request = new NetifRxRequestFlyweight().wrap(buffer, SLOT).write(7, 0x1234_5678);
        assertEquals(7, buffer.getShort(SLOT));
        assertEquals(0, buffer.getShort(SLOT + 2), "pad zeroed over dirty memory");
        assertEquals(0x1234_5678, buffer.getInt(SLOT + 4));
        assertEquals(7, request.id());
        assertEquals(0x1234_5678, request.gref());
    }

    @Test
    void rxResponseRoundTrip()
    {
        final NetifRxResponseFlyweight response = new NetifRxResponseFlyweight().wrap(buffer, SLOT)
            .write(0xFFFE, 14, NETRXF_MORE_DATA | NETRXF_EXTRA_INFO, 1500);
        assertEquals((short)0xFFFE, buffer.getShort(SLOT));
        assertEquals(14, buffer.getShort(SLOT + 2));
        assertEquals(NETRXF_MORE_DATA | NETRXF_EXTRA_INFO, buffer.getShort(SLOT + 4));
        assertEquals(1500, buffer.getShort(SLOT + 6));
        assertEquals(DIRTY, buffer.getByte(SLOT + 8));
        assertEquals(0xFFFE, response.id());
        assertEquals(14, response.pageOffset());
        assertEquals(NETRXF_MORE_DATA | NETRXF_EXTRA_INFO, response.flags());
        assertEquals(1500, response.status());
        assertEquals(NETIF_RSP_DROPPED, response.write(1, 0, 0, NETIF_RSP_DROPPED).status());
    }

    @Test
    void gsoExtraZeroesPadAndFeatures()
    {
        final NetifExtraInfoFlyweight extra = new NetifExtraInfoFlyweight().wrap(buffer, SLOT)
            .writeGso(XEN_NETIF_EXTRA_FLAG_MORE, 1448, XEN_NETIF_GSO_TYPE_TCPV6);
        assertEquals(XEN_NETIF_EXTRA_TYPE_GSO, buffer.getByte(SLOT));
        assertEquals(XEN_NETIF_EXTRA_FLAG_MORE, buffer.getByte(SLOT + 1));
        assertEquals(1448, buffer.getShort(SLOT + 2));
        assertEquals(XEN_NETIF_GSO_TYPE_TCPV6, buffer.getByte(SLOT + 4));
        assertEquals(0, buffer.getByte(SLOT + 5), "gso.pad");
        assertEquals(0, buffer.getShort(SLOT + 6), "gso.features");
        assertEquals(DIRTY, buffer.getByte(SLOT + 8));
        assertEquals(XEN_NETIF_EXTRA_TYPE_GSO, extra.type());
        assertEquals(XEN_NETIF_EXTRA_FLAG_MORE, extra.flags());
        assertEquals(1448, extra.gsoSizeBytes());
        assertEquals(XEN_NETIF_GSO_TYPE_TCPV6, extra.gsoType());
        assertEquals(0, extra.gsoFeatures());
    }

    @Test
    void mcastExtraStoresTheAddressInWireOrder()
    {
        final NetifExtraInfoFlyweight extra = new NetifExtraInfoFlyweight().wrap(buffer, SLOT)
            .writeMcast(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0, 0x0100_5E00_00FBL);
        assertEquals(0x01, buffer.getByte(SLOT + 2));
        assertEquals(0x00, buffer.getByte(SLOT + 3));
        assertEquals(0x5E, buffer.getByte(SLOT + 4));
        assertEquals((byte)0xFB, buffer.getByte(SLOT + 7));
        assertEquals(0x0100_5E00_00FBL, extra.mcastAddr());
        assertEquals(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, extra.type());
    }

    @Test
    void hashExtraRoundTrip()
    {
        final NetifExtraInfoFlyweight extra = new NetifExtraInfoFlyweight().wrap(buffer, SLOT).writeHash(
            0, NetifConstants.XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP_BIT,
            NetifConstants.XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ, 0xDEAD_BEEF);
        assertEquals(XEN_NETIF_EXTRA_TYPE_HASH, extra.type());
        assertEquals(3, buffer.getByte(SLOT + 2));
        assertEquals(1, buffer.getByte(SLOT + 3));
        assertEquals((byte)0xEF, buffer.getByte(SLOT + 4), "value is least significant byte first");
        assertEquals(0xDEAD_BEEF, extra.hashValue());
        assertEquals(3, extra.hashType());
        assertEquals(1, extra.hashAlgorithm());
    }
}
