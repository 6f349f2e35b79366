package io.pvio.hypervisor.xenstore;

import io.pvio.ring.xenstore.XsMessageHeaderFlyweight;
import io.pvio.ring.xenstore.XsWireDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import static io.pvio.ring.xenstore.XsWireDescriptor.HEADER_LENGTH;

/**
 * Cuts a byte stream (socket or XenStore ring) into {@code xs_wire} messages in a private buffer of one maximal
 * message. A header declaring more than {@code XENSTORE_PAYLOAD_MAX} is answered with {@code XS_ERROR E2BIG} and its
 * declared payload is skipped, so the stream stays in step and the connection is never stuck.
 */
final class XsStreamDecoder
{
    final byte[] bytes = new byte[XsWireDescriptor.MESSAGE_MAX];
    private final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
    private final XsMessageHeaderFlyweight header = new XsMessageHeaderFlyweight().wrap(buffer, 0);
    private int filledBytes;
    private long discardBytes;

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    int filledBytes()
    {
        return filledBytes;
    }

    int spaceBytes()
    {
        return bytes.length - filledBytes;
    }

    /** The caller copied {@code count} more bytes to {@code bytes[filledBytes()]}. */
    void appended(final int count)
    {
        filledBytes += count;
    }

    /** Handles the next complete message. @return the reply length in the handler's buffer, or 0 if none. */
    int next(final XsRequestHandler handler)
    {
        if (discardBytes > 0)
        {
            final int drop = (int)Math.min(discardBytes, filledBytes);
            consume(drop);
            discardBytes -= drop;
            if (discardBytes > 0)
            {
                return 0;
            }
        }
        if (filledBytes < HEADER_LENGTH)
        {
            return 0;
        }
        final int len = header.len();
        if (!XsWireDescriptor.isValidPayloadLength(len))
        {
            // xs_wire.h: len <= XENSTORE_PAYLOAD_MAX
            final int replyLength = handler.error(header.reqId(), header.txId(), XsErrno.E2BIG);
            discardBytes = Integer.toUnsignedLong(len);
            consume(HEADER_LENGTH);
            return replyLength;
        }
        if (filledBytes < HEADER_LENGTH + len)
        {
            return 0;
        }
        final int replyLength = handler.handle(buffer, 0);
        consume(HEADER_LENGTH + len);
        return replyLength;
    }

    private void consume(final int count)
    {
        System.arraycopy(bytes, count, bytes, 0, filledBytes - count);
        filledBytes -= count;
    }
}
