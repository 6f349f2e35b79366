package io.pvio.ring.xenstore;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.pvio.ring.xenstore.XsWireDescriptor.LEN_OFFSET;
import static io.pvio.ring.xenstore.XsWireDescriptor.REQ_ID_OFFSET;
import static io.pvio.ring.xenstore.XsWireDescriptor.TX_ID_OFFSET;
import static io.pvio.ring.xenstore.XsWireDescriptor.TYPE_OFFSET;

/**
 * Flyweight over one {@code struct xsd_sockmsg} ({@link XsWireDescriptor}) in a private buffer: messages are always
 * copied out of the socket or the shared ring first, so plain little-endian accesses suffice. No allocation.
 */
public final class XsMessageHeaderFlyweight
{
    private MutableDirectBuffer buffer;
    private int offset;

    /** @return this. */
    public XsMessageHeaderFlyweight wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public int type()
    {
        return buffer.getInt(offset + TYPE_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public int reqId()
    {
        return buffer.getInt(offset + REQ_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public int txId()
    {
        return buffer.getInt(offset + TX_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /** Declared payload length, unsigned in the ABI: check with {@link XsWireDescriptor#isValidPayloadLength}. */
    public int len()
    {
        return buffer.getInt(offset + LEN_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /** Writes all four fields. @return this. */
    public XsMessageHeaderFlyweight set(final int type, final int reqId, final int txId, final int len)
    {
        buffer.putInt(offset + TYPE_OFFSET, type, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + REQ_ID_OFFSET, reqId, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + TX_ID_OFFSET, txId, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + LEN_OFFSET, len, ByteOrder.LITTLE_ENDIAN);
        return this;
    }
}
