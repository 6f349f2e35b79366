package io.pvio.ring.xenstore;

import io.pvio.ring.SringDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor.ERROR_OFFSET;
import static io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor.REQ_CONS_OFFSET;
import static io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor.REQ_OFFSET;
import static io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor.REQ_PROD_OFFSET;
import static io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor.RING_SIZE;
import static io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor.RSP_CONS_OFFSET;
import static io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor.RSP_OFFSET;
import static io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor.RSP_PROD_OFFSET;
import static io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor.SERVER_FEATURES_OFFSET;
import static io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor.maskIndex;
import static io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor.usedBytes;

/**
 * Flyweight over a XenStore page ({@link XenstoreDomainInterfaceDescriptor}): byte-stream moves on its two rings.
 * The guest writes {@code req} and reads {@code rsp}; xenstored the opposite. Each call reads the peer's index once,
 * checks it against our own, and returns {@link #RING_BROKEN} without touching anything if it is impossible.
 * Single-threaded per side; no allocation.
 */
public final class XenstoreDomainInterfaceFlyweight
{
    /** Returned when the peer's index is impossible: prod - cons &gt; 1024. */
    public static final int RING_BROKEN = -1;

    private AtomicBuffer buffer;
    private int offset;

    public XenstoreDomainInterfaceFlyweight()
    {
        SringDescriptor.checkNativeByteOrder();
    }

    /** @return this. */
    public XenstoreDomainInterfaceFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        XenstoreDomainInterfaceDescriptor.checkRegion(offset, buffer.capacity());
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /** Server: zero indices, error, connection, then announce features. Before the guest uses the page. */
    public void initialiseServer(final int serverFeatures)
    {
        buffer.setMemory(offset + REQ_CONS_OFFSET, ERROR_OFFSET + 4 - REQ_CONS_OFFSET, (byte)0);
        // the guest sees zeroed indices before the feature bits it may test first.
        buffer.putIntRelease(offset + SERVER_FEATURES_OFFSET, serverFeatures);
    }

    /** Server: records {@code XENSTORE_ERROR_*} for the guest to see. */
    public void error(final int error)
    {
        // the guest sees the error after every response we published.
        buffer.putIntRelease(offset + ERROR_OFFSET, error);
    }

    public int error()
    {
        return buffer.getIntAcquire(offset + ERROR_OFFSET);
    }

    /** Server: copies up to {@code maxBytes} of pending requests into {@code dst}; count or {@link #RING_BROKEN}. */
    public int readRequests(final MutableDirectBuffer dst, final int dstOffset, final int maxBytes)
    {
        return read(REQ_OFFSET, REQ_CONS_OFFSET, REQ_PROD_OFFSET, dst, dstOffset, maxBytes);
    }

    /** Server: appends up to {@code lengthBytes} of replies; count written or {@link #RING_BROKEN}. */
    public int writeResponses(final DirectBuffer src, final int srcOffset, final int lengthBytes)
    {
        return write(RSP_OFFSET, RSP_CONS_OFFSET, RSP_PROD_OFFSET, src, srcOffset, lengthBytes);
    }

    /** Guest: appends up to {@code lengthBytes} of requests; count written or {@link #RING_BROKEN}. */
    public int writeRequests(final DirectBuffer src, final int srcOffset, final int lengthBytes)
    {
        return write(REQ_OFFSET, REQ_CONS_OFFSET, REQ_PROD_OFFSET, src, srcOffset, lengthBytes);
    }

    /** Guest: copies up to {@code maxBytes} of replies into {@code dst}; count or {@link #RING_BROKEN}. */
    public int readResponses(final MutableDirectBuffer dst, final int dstOffset, final int maxBytes)
    {
        return read(RSP_OFFSET, RSP_CONS_OFFSET, RSP_PROD_OFFSET, dst, dstOffset, maxBytes);
    }

    private int read(
        final int ringOffset, final int consOffset, final int prodOffset,
        final MutableDirectBuffer dst, final int dstOffset, final int maxBytes)
    {
        final int cons = buffer.getInt(offset + consOffset);
        // we see the peer's bytes up to prod once we see prod.
        final int prod = buffer.getIntAcquire(offset + prodOffset);
        final int used = usedBytes(prod, cons);
        if (used < 0)
        {
            return RING_BROKEN;
        }
        final int count = Math.min(used, maxBytes);
        final int start = maskIndex(cons);
        final int first = Math.min(count, RING_SIZE - start);
        buffer.getBytes(offset + ringOffset + start, dst, dstOffset, first);
        buffer.getBytes(offset + ringOffset, dst, dstOffset + first, count - first);
        if (count > 0)
        {
            // the peer sees the space free only after we copied it out.
            buffer.putIntRelease(offset + consOffset, cons + count);
        }
        return count;
    }

    private int write(
        final int ringOffset, final int consOffset, final int prodOffset,
        final DirectBuffer src, final int srcOffset, final int lengthBytes)
    {
        final int prod = buffer.getInt(offset + prodOffset);
        // we see the space the peer freed once we see its cons.
        final int cons = buffer.getIntAcquire(offset + consOffset);
        final int used = usedBytes(prod, cons);
        if (used < 0)
        {
            return RING_BROKEN;
        }
        final int count = Math.min(RING_SIZE - used, lengthBytes);
        final int start = maskIndex(prod);
        final int first = Math.min(count, RING_SIZE - start);
        buffer.putBytes(offset + ringOffset + start, src, srcOffset, first);
        buffer.putBytes(offset + ringOffset, src, srcOffset + first, count - first);
        if (count > 0)
        {
            // the peer sees the bytes before the new prod.
            buffer.putIntRelease(offset + prodOffset, prod + count);
        }
        return count;
    }
}
