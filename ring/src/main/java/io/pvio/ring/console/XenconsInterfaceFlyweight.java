package io.pvio.ring.console;

import io.pvio.ring.SringDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.console.XenconsInterfaceDescriptor.IN_CONS_OFFSET;
import static io.pvio.ring.console.XenconsInterfaceDescriptor.IN_LENGTH;
import static io.pvio.ring.console.XenconsInterfaceDescriptor.IN_OFFSET;
import static io.pvio.ring.console.XenconsInterfaceDescriptor.IN_PROD_OFFSET;
import static io.pvio.ring.console.XenconsInterfaceDescriptor.OUT_CONS_OFFSET;
import static io.pvio.ring.console.XenconsInterfaceDescriptor.OUT_LENGTH;
import static io.pvio.ring.console.XenconsInterfaceDescriptor.OUT_OFFSET;
import static io.pvio.ring.console.XenconsInterfaceDescriptor.OUT_PROD_OFFSET;

/**
 * Flyweight over a console page ({@link XenconsInterfaceDescriptor}): byte-stream reads and writes on its two rings.
 * The guest writes {@code out} and reads {@code in}; the console daemon (back end) reads {@code out} and writes
 * {@code in}. Each call moves as many bytes as fit, wrapping at the end of the ring, and returns the count.
 * <p>
 * Each call reads the peer's index once and checks it against our own: if prod - cons (wrapping) exceeds the ring
 * length the peer is hostile or broken, nothing is copied or published, and the call returns {@link #RING_BROKEN};
 * the caller then stops serving that console. Indices the peer scribbles within the valid range can only garble
 * that guest's own console bytes, never reach outside the ring.
 * <p>
 * Single-threaded per direction and side; no allocation.
 */
public final class XenconsInterfaceFlyweight
{
    /** Returned when the peer's index is impossible: prod - cons &gt; ring length. */
    public static final int RING_BROKEN = -1;

    private AtomicBuffer buffer;
    private int offset;

    public XenconsInterfaceFlyweight()
    {
        SringDescriptor.checkNativeByteOrder();
    }

    /**
     * @param offset 4-byte aligned offset of the interface (0 of the console page).
     * @return this.
     */
    public XenconsInterfaceFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        XenconsInterfaceDescriptor.checkRegion(offset, buffer.capacity());
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
     * Sets all four indices to {@code startIndex} (the toolstack's zeroed page is start 0). Other starts let tests
     * run indices across 2<sup>32</sup>. Neither side may be using the page.
     */
    public void initialise(final int startIndex)
    {
        buffer.putInt(offset + IN_CONS_OFFSET, startIndex);
        buffer.putInt(offset + IN_PROD_OFFSET, startIndex);
        buffer.putInt(offset + OUT_CONS_OFFSET, startIndex);
        // both sides, once told the console is ready (xenbus or start_info), see all four indices.
        buffer.putIntVolatile(offset + OUT_PROD_OFFSET, startIndex);
    }

    // ---- guest side ----

    /**
     * Guest: appends up to {@code lengthBytes} of {@code src} to the out ring.
     *
     * @return bytes written (0 when full), or {@link #RING_BROKEN}.
     */
    public int writeOut(final DirectBuffer src, final int srcOffset, final int lengthBytes)
    {
        return produce(OUT_OFFSET, OUT_LENGTH, OUT_CONS_OFFSET, OUT_PROD_OFFSET, src, srcOffset, lengthBytes);
    }

    /**
     * Guest: takes up to {@code maxBytes} from the in ring into {@code dst}.
     *
     * @return bytes read (0 when empty), or {@link #RING_BROKEN}.
     */
    public int readIn(final MutableDirectBuffer dst, final int dstOffset, final int maxBytes)
    {
        return consume(IN_OFFSET, IN_LENGTH, IN_CONS_OFFSET, IN_PROD_OFFSET, dst, dstOffset, maxBytes);
    }

    // ---- console daemon (back end) side ----

    /**
     * Back end: takes up to {@code maxBytes} of the guest's output into {@code dst}.
     *
     * @return bytes read (0 when empty), or {@link #RING_BROKEN}.
     */
    public int readOut(final MutableDirectBuffer dst, final int dstOffset, final int maxBytes)
    {
        return consume(OUT_OFFSET, OUT_LENGTH, OUT_CONS_OFFSET, OUT_PROD_OFFSET, dst, dstOffset, maxBytes);
    }

    /**
     * Back end: appends up to {@code lengthBytes} of input for the guest to the in ring.
     *
     * @return bytes written (0 when full), or {@link #RING_BROKEN}.
     */
    public int writeIn(final DirectBuffer src, final int srcOffset, final int lengthBytes)
    {
        return produce(IN_OFFSET, IN_LENGTH, IN_CONS_OFFSET, IN_PROD_OFFSET, src, srcOffset, lengthBytes);
    }

    // ---- diagnostics: never used for decisions ----

    public int inConsVolatile()
    {
        return buffer.getIntVolatile(offset + IN_CONS_OFFSET);
    }

    public int inProdVolatile()
    {
        return buffer.getIntVolatile(offset + IN_PROD_OFFSET);
    }

    public int outConsVolatile()
    {
        return buffer.getIntVolatile(offset + OUT_CONS_OFFSET);
    }

    public int outProdVolatile()
    {
        return buffer.getIntVolatile(offset + OUT_PROD_OFFSET);
    }

    private int produce(
        final int ringOffset, final int ringLength, final int consOffset, final int prodOffset,
        final DirectBuffer src, final int srcOffset, final int lengthBytes)
    {
        // Our own index: only we write it legitimately; a peer scribbling on it is caught by the check below.
        final int prod = buffer.getInt(offset + prodOffset);
        // producer: the consumer finished reading every byte before cons; we may overwrite them after this load.
        final int cons = buffer.getIntAcquire(offset + consOffset);
        final int used = XenconsInterfaceDescriptor.usedBytes(prod, cons, ringLength);
        if (used < 0)
        {
            return RING_BROKEN;
        }
        final int count = Math.min(Math.max(lengthBytes, 0), ringLength - used);
        if (count > 0)
        {
            final int position = XenconsInterfaceDescriptor.maskIndex(prod, ringLength);
            final int firstChunk = Math.min(count, ringLength - position);
            buffer.putBytes(offset + ringOffset + position, src, srcOffset, firstChunk);
            buffer.putBytes(offset + ringOffset, src, srcOffset + firstChunk, count - firstChunk);
            // consumer sees the bytes written above before it sees the new prod (wmb before publishing).
            buffer.putIntRelease(offset + prodOffset, prod + count);
        }
        return count;
    }

    private int consume(
        final int ringOffset, final int ringLength, final int consOffset, final int prodOffset,
        final MutableDirectBuffer dst, final int dstOffset, final int maxBytes)
    {
        // Our own index: only we write it legitimately; a peer scribbling on it is caught by the check below.
        final int cons = buffer.getInt(offset + consOffset);
        // consumer: the bytes the producer wrote before prod are visible after this load (rmb); read once.
        final int prod = buffer.getIntAcquire(offset + prodOffset);
        final int used = XenconsInterfaceDescriptor.usedBytes(prod, cons, ringLength);
        if (used < 0)
        {
            return RING_BROKEN;
        }
        final int count = Math.min(Math.max(maxBytes, 0), used);
        if (count > 0)
        {
            final int position = XenconsInterfaceDescriptor.maskIndex(cons, ringLength);
            final int firstChunk = Math.min(count, ringLength - position);
            buffer.getBytes(offset + ringOffset + position, dst, dstOffset, firstChunk);
            buffer.getBytes(offset + ringOffset, dst, dstOffset + firstChunk, count - firstChunk);
            // producer sees the space free only after our reads of it above are done (mb before updating cons).
            buffer.putIntRelease(offset + consOffset, cons + count);
        }
        return count;
    }
}
