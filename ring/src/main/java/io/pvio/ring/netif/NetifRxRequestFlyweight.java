package io.pvio.ring.netif;

import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.netif.NetifRxRequestDescriptor.GREF_OFFSET;
import static io.pvio.ring.netif.NetifRxRequestDescriptor.ID_OFFSET;
import static io.pvio.ring.netif.NetifRxRequestDescriptor.LENGTH;
import static io.pvio.ring.netif.NetifRxRequestDescriptor.PAD_OFFSET;

/**
 * Flyweight over a {@code netif_rx_request} slot ({@link NetifRxRequestDescriptor}). Front ends post pages with
 * {@link #write}, which zeroes the padding. Plain accesses, ordered by the ring's req_prod release/acquire.
 */
public final class NetifRxRequestFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /** @return this. */
    public NetifRxRequestFlyweight wrap(final AtomicBuffer buffer, final int offset)
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

    /** Writes all 8 bytes: id, zero pad, gref. */
    public NetifRxRequestFlyweight write(final int id, final int gref)
    {
        buffer.putShort(offset + ID_OFFSET, (short)id);
        buffer.putShort(offset + PAD_OFFSET, (short)0);
        buffer.putInt(offset + GREF_OFFSET, gref);
        return this;
    }

    /** id (u16). */
    public int id()
    {
        return buffer.getShort(offset + ID_OFFSET) & 0xFFFF;
    }

    /** gref (u32 as int). */
    public int gref()
    {
        return buffer.getInt(offset + GREF_OFFSET);
    }
}
