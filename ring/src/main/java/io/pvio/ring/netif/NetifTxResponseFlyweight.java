package io.pvio.ring.netif;

import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.netif.NetifTxResponseDescriptor.ID_OFFSET;
import static io.pvio.ring.netif.NetifTxResponseDescriptor.LENGTH;
import static io.pvio.ring.netif.NetifTxResponseDescriptor.STATUS_OFFSET;

/**
 * Flyweight over a {@code netif_tx_response} slot ({@link NetifTxResponseDescriptor}). Back ends write whole
 * responses; plain stores, published by the back ring's release store of rsp_prod.
 */
public final class NetifTxResponseFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /** @return this. */
    public NetifTxResponseFlyweight wrap(final AtomicBuffer buffer, final int offset)
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

    /** Writes all 4 bytes: id and status ({@code NETIF_RSP_*}). */
    public NetifTxResponseFlyweight write(final int id, final int status)
    {
        buffer.putInt(offset, NetifTxResponseDescriptor.word(id, status));
        return this;
    }

    /** id (u16). */
    public int id()
    {
        return buffer.getShort(offset + ID_OFFSET) & 0xFFFF;
    }

    /** status (s16), sign-extended. */
    public int status()
    {
        return buffer.getShort(offset + STATUS_OFFSET);
    }
}
