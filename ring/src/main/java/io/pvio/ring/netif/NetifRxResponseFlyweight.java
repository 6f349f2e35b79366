package io.pvio.ring.netif;

import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.netif.NetifRxResponseDescriptor.FLAGS_OFFSET;
import static io.pvio.ring.netif.NetifRxResponseDescriptor.ID_OFFSET;
import static io.pvio.ring.netif.NetifRxResponseDescriptor.LENGTH;
import static io.pvio.ring.netif.NetifRxResponseDescriptor.OFFSET_OFFSET;
import static io.pvio.ring.netif.NetifRxResponseDescriptor.STATUS_OFFSET;

/**
 * Flyweight over a {@code netif_rx_response} slot ({@link NetifRxResponseDescriptor}). Back ends write whole
 * responses; plain stores, published by the back ring's release store of rsp_prod.
 */
public final class NetifRxResponseFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /** @return this. */
    public NetifRxResponseFlyweight wrap(final AtomicBuffer buffer, final int offset)
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

    /**
     * Writes all 8 bytes.
     *
     * @param pageOffset where the data starts in the posted page.
     * @param flags      NETRXF_*.
     * @param status     data length in bytes (&gt; 0) or a {@code NETIF_RSP_*} error.
     */
    public NetifRxResponseFlyweight write(final int id, final int pageOffset, final int flags, final int status)
    {
        buffer.putLong(offset, NetifRxResponseDescriptor.word(id, pageOffset, flags, status));
        return this;
    }

    /** id (u16). */
    public int id()
    {
        return buffer.getShort(offset + ID_OFFSET) & 0xFFFF;
    }

    /** offset of the data in the page (u16). */
    public int pageOffset()
    {
        return buffer.getShort(offset + OFFSET_OFFSET) & 0xFFFF;
    }

    /** NETRXF_* (u16). */
    public int flags()
    {
        return buffer.getShort(offset + FLAGS_OFFSET) & 0xFFFF;
    }

    /** status (s16), sign-extended: length if positive, else NETIF_RSP_*. */
    public int status()
    {
        return buffer.getShort(offset + STATUS_OFFSET);
    }
}
