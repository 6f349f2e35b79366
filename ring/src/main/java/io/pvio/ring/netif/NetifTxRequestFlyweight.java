package io.pvio.ring.netif;

import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.netif.NetifTxRequestDescriptor.FLAGS_OFFSET;
import static io.pvio.ring.netif.NetifTxRequestDescriptor.GREF_OFFSET;
import static io.pvio.ring.netif.NetifTxRequestDescriptor.ID_OFFSET;
import static io.pvio.ring.netif.NetifTxRequestDescriptor.LENGTH;
import static io.pvio.ring.netif.NetifTxRequestDescriptor.OFFSET_OFFSET;
import static io.pvio.ring.netif.NetifTxRequestDescriptor.SIZE_OFFSET;

/**
 * Flyweight over a {@code netif_tx_request} slot ({@link NetifTxRequestDescriptor}). Front ends write slots with
 * {@link #write}; back ends copy each field once into private state and validate the copy. Plain accesses: the
 * ring's release/acquire of req_prod order them.
 */
public final class NetifTxRequestFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /** @return this. */
    public NetifTxRequestFlyweight wrap(final AtomicBuffer buffer, final int offset)
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

    /** Writes the whole 12-byte slot. */
    public NetifTxRequestFlyweight write(
        final int gref, final int pageOffset, final int flags, final int id, final int sizeBytes)
    {
        buffer.putInt(offset + GREF_OFFSET, gref);
        buffer.putShort(offset + OFFSET_OFFSET, (short)pageOffset);
        buffer.putShort(offset + FLAGS_OFFSET, (short)flags);
        buffer.putShort(offset + ID_OFFSET, (short)id);
        buffer.putShort(offset + SIZE_OFFSET, (short)sizeBytes);
        return this;
    }

    /** gref (u32 as int). */
    public int gref()
    {
        return buffer.getInt(offset + GREF_OFFSET);
    }

    /** offset of the data in the granted page (u16). */
    public int pageOffset()
    {
        return buffer.getShort(offset + OFFSET_OFFSET) & 0xFFFF;
    }

    /** NETTXF_* (u16). */
    public int flags()
    {
        return buffer.getShort(offset + FLAGS_OFFSET) & 0xFFFF;
    }

    /** id (u16). */
    public int id()
    {
        return buffer.getShort(offset + ID_OFFSET) & 0xFFFF;
    }

    /** size in bytes (u16): the packet's total in its first slot, the slot's own otherwise. */
    public int sizeBytes()
    {
        return buffer.getShort(offset + SIZE_OFFSET) & 0xFFFF;
    }
}
