package io.pvio.ring.netif;

import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.netif.NetifExtraInfoDescriptor.FLAGS_OFFSET;
import static io.pvio.ring.netif.NetifExtraInfoDescriptor.GSO_FEATURES_OFFSET;
import static io.pvio.ring.netif.NetifExtraInfoDescriptor.GSO_PAD_OFFSET;
import static io.pvio.ring.netif.NetifExtraInfoDescriptor.GSO_SIZE_OFFSET;
import static io.pvio.ring.netif.NetifExtraInfoDescriptor.GSO_TYPE_OFFSET;
import static io.pvio.ring.netif.NetifExtraInfoDescriptor.HASH_ALGORITHM_OFFSET;
import static io.pvio.ring.netif.NetifExtraInfoDescriptor.HASH_TYPE_OFFSET;
import static io.pvio.ring.netif.NetifExtraInfoDescriptor.HASH_VALUE_OFFSET;
import static io.pvio.ring.netif.NetifExtraInfoDescriptor.LENGTH;
import static io.pvio.ring.netif.NetifExtraInfoDescriptor.MCAST_ADDR_LENGTH;
import static io.pvio.ring.netif.NetifExtraInfoDescriptor.MCAST_ADDR_OFFSET;
import static io.pvio.ring.netif.NetifExtraInfoDescriptor.TYPE_OFFSET;
import static io.pvio.ring.netif.NetifExtraInfoDescriptor.UNION_LENGTH;
import static io.pvio.ring.netif.NetifExtraInfoDescriptor.UNION_OFFSET;

/**
 * Flyweight over a {@code netif_extra_info} ({@link NetifExtraInfoDescriptor}) in a tx request or rx response slot.
 * The writers fill all 8 bytes, zeroing the pad and the union bytes the type does not use. A MAC address is passed
 * as a long holding its 48 bits with addr[0] most significant (the order it is written in text). Plain accesses,
 * ordered by the ring's producer index release/acquire.
 */
public final class NetifExtraInfoFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /** @return this. */
    public NetifExtraInfoFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        buffer.boundsCheck(offset, LENGTH);
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public AtomicBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    /** XEN_NETIF_EXTRA_TYPE_* (u8). */
    public int type()
    {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    /** XEN_NETIF_EXTRA_FLAG_* (u8). */
    public int flags()
    {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    /** Writes a GSO extra: MSS {@code gsoSizeBytes}, a {@code XEN_NETIF_GSO_TYPE_*}, zero pad and features. */
    public NetifExtraInfoFlyweight writeGso(final int flags, final int gsoSizeBytes, final int gsoType)
    {
        writeHeader(NetifConstants.XEN_NETIF_EXTRA_TYPE_GSO, flags);
        buffer.putShort(offset + GSO_SIZE_OFFSET, (short)gsoSizeBytes);
        buffer.putByte(offset + GSO_TYPE_OFFSET, (byte)gsoType);
        buffer.putByte(offset + GSO_PAD_OFFSET, (byte)0);
        buffer.putShort(offset + GSO_FEATURES_OFFSET, (short)0);
        return this;
    }

    /** u.gso.size (u16): the MSS. */
    public int gsoSizeBytes()
    {
        return buffer.getShort(offset + GSO_SIZE_OFFSET) & 0xFFFF;
    }

    /** u.gso.type (u8). */
    public int gsoType()
    {
        return buffer.getByte(offset + GSO_TYPE_OFFSET) & 0xFF;
    }

    /** u.gso.features (u16); no feature is defined, written as zero. */
    public int gsoFeatures()
    {
        return buffer.getShort(offset + GSO_FEATURES_OFFSET) & 0xFFFF;
    }

    /**
     * Writes a multicast extra.
     *
     * @param type {@code XEN_NETIF_EXTRA_TYPE_MCAST_ADD} or {@code _DEL}.
     * @param mac  48-bit address, addr[0] in bits 47..40.
     */
    public NetifExtraInfoFlyweight writeMcast(final int type, final int flags, final long mac)
    {
        writeHeader(type, flags);
        for (int i = 0; i < MCAST_ADDR_LENGTH; i++)
        {
            buffer.putByte(offset + MCAST_ADDR_OFFSET + i, (byte)(mac >>> (8 * (MCAST_ADDR_LENGTH - 1 - i))));
        }
        return this;
    }

    /** u.mcast.addr as a 48-bit long, addr[0] most significant. */
    public long mcastAddr()
    {
        long mac = 0;
        for (int i = 0; i < MCAST_ADDR_LENGTH; i++)
        {
            mac = (mac << 8) | (buffer.getByte(offset + MCAST_ADDR_OFFSET + i) & 0xFF);
        }
        return mac;
    }

    /**
     * Writes a hash extra.
     *
     * @param hashTypeBit a {@code XEN_NETIF_CTRL_HASH_TYPE_*_BIT} number.
     * @param algorithm   a {@code XEN_NETIF_CTRL_HASH_ALGORITHM_*}.
     * @param value       the hash, stored least significant byte first.
     */
    public NetifExtraInfoFlyweight writeHash(
        final int flags, final int hashTypeBit, final int algorithm, final int value)
    {
        writeHeader(NetifConstants.XEN_NETIF_EXTRA_TYPE_HASH, flags);
        buffer.putByte(offset + HASH_TYPE_OFFSET, (byte)hashTypeBit);
        buffer.putByte(offset + HASH_ALGORITHM_OFFSET, (byte)algorithm);
        buffer.putInt(offset + HASH_VALUE_OFFSET, value);
        return this;
    }

    public int hashType()
    {
        return buffer.getByte(offset + HASH_TYPE_OFFSET) & 0xFF;
    }

    public int hashAlgorithm()
    {
        return buffer.getByte(offset + HASH_ALGORITHM_OFFSET) & 0xFF;
    }

    /** u.hash.value, least significant byte first. */
    public int hashValue()
    {
        return buffer.getInt(offset + HASH_VALUE_OFFSET);
    }

    private void writeHeader(final int type, final int flags)
    {
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
        buffer.putByte(offset + FLAGS_OFFSET, (byte)flags);
        buffer.setMemory(offset + UNION_OFFSET, UNION_LENGTH, (byte)0);
    }
}
