package io.pvio.ring;

import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.SringDescriptor.PAD_LENGTH;
import static io.pvio.ring.SringDescriptor.PAD_OFFSET;
import static io.pvio.ring.SringDescriptor.PVT_LENGTH;
import static io.pvio.ring.SringDescriptor.PVT_OFFSET;
import static io.pvio.ring.SringDescriptor.REQ_EVENT_OFFSET;
import static io.pvio.ring.SringDescriptor.REQ_PROD_OFFSET;
import static io.pvio.ring.SringDescriptor.RSP_EVENT_OFFSET;
import static io.pvio.ring.SringDescriptor.RSP_PROD_OFFSET;

/**
 * Flyweight over one shared ring ({@link SringDescriptor}) in a buffer: the four shared indices and the entry slots.
 * It holds no index state of its own; {@link FrontRing} and {@link BackRing} keep each side's private indices.
 * <p>
 * Every shared access here names its ordering. Loads of the other side's producer index are acquire loads (Xen's
 * {@code rmb} after reading a producer); producer stores are release stores ({@code wmb} before publishing) or
 * volatile stores where Xen issues a full {@code mb} before the next load.
 */
public final class SharedRing
{
    private final AtomicBuffer buffer;
    private final int ringOffset;
    private final int ringBytes;
    private final RingEntryLayout layout;
    private final int size;
    private final int mask;
    private final int entryBytes;

    /**
     * @param buffer      memory holding the ring (e.g. {@link SharedMemory#buffer()} or a mapped grant).
     * @param ringOffset  page-aligned offset of the ring header in {@code buffer}.
     * @param ringBytes   bytes the ring spans: 2^order pages.
     * @param layout      the entry type carried.
     */
    public SharedRing(
        final AtomicBuffer buffer, final int ringOffset, final int ringBytes, final RingEntryLayout layout)
    {
        SringDescriptor.checkNativeByteOrder();
        SringDescriptor.checkRingRegion(ringOffset, ringBytes, buffer.capacity());
        this.buffer = buffer;
        this.ringOffset = ringOffset;
        this.ringBytes = ringBytes;
        this.layout = layout;
        this.entryBytes = layout.entryBytes();
        this.size = SringDescriptor.ringSize(ringBytes, entryBytes);
        this.mask = size - 1;
    }

    /** A ring of {@code 2^ringPageOrder} pages at the start of {@code buffer}. */
    public static SharedRing ofPageOrder(
        final AtomicBuffer buffer, final int ringPageOrder, final RingEntryLayout layout)
    {
        return new SharedRing(buffer, 0, SringDescriptor.ringBytes(ringPageOrder), layout);
    }

    /** {@code SHARED_RING_INIT}: producers 0, events 1, private and padding bytes zero. Front end only. */
    public void initialise()
    {
        initialiseAt(0);
    }

    /**
     * As {@link #initialise()} but with both producers at {@code startIndex} and both events at
     * {@code startIndex + 1}. Xen always starts at 0; other starts let tests run indices across 2^32.
     * The back end must attach at the same index.
     */
    public void initialiseAt(final int startIndex)
    {
        buffer.setMemory(ringOffset + PVT_OFFSET, PVT_LENGTH, (byte)0);
        buffer.setMemory(ringOffset + PAD_OFFSET, PAD_LENGTH, (byte)0);
        buffer.putInt(ringOffset + REQ_EVENT_OFFSET, startIndex + 1);
        buffer.putInt(ringOffset + RSP_EVENT_OFFSET, startIndex + 1);
        buffer.putInt(ringOffset + RSP_PROD_OFFSET, startIndex);
        // the back end, once told the ring is ready (xenbus), sees a fully initialised header.
        buffer.putIntVolatile(ringOffset + REQ_PROD_OFFSET, startIndex);
    }

    public AtomicBuffer buffer()
    {
        return buffer;
    }

    public RingEntryLayout layout()
    {
        return layout;
    }

    /** Number of entries: a power of two ({@code RING_SIZE}). */
    public int size()
    {
        return size;
    }

    public int ringBytes()
    {
        return ringBytes;
    }

    /** Absolute offset in {@link #buffer()} of the entry for free-running {@code index}. */
    public int entryOffset(final int index)
    {
        return ringOffset + SringDescriptor.entryOffset(index, mask, entryBytes);
    }

    // ---- req_prod: written by the front end, read by the back end ----

    int requestProducerAcquire()
    {
        // back end: request bodies written before req_prod are visible once we see req_prod (rmb).
        return buffer.getIntAcquire(ringOffset + REQ_PROD_OFFSET);
    }

    int requestProducerVolatile()
    {
        // back end, after a volatile req_event store: the front end cannot both miss our req_event and have its
        // req_prod go unseen here (Xen's mb in RING_FINAL_CHECK_FOR_REQUESTS).
        return buffer.getIntVolatile(ringOffset + REQ_PROD_OFFSET);
    }

    void requestProducerRelease(final int index)
    {
        // back end sees the request bodies before it sees req_prod (wmb in RING_PUSH_REQUESTS).
        buffer.putIntRelease(ringOffset + REQ_PROD_OFFSET, index);
    }

    void requestProducerVolatile(final int index)
    {
        // back end sees the bodies before req_prod, and we read req_event only after req_prod is visible (mb).
        buffer.putIntVolatile(ringOffset + REQ_PROD_OFFSET, index);
    }

    // ---- req_event: written by the back end, read by the front end ----

    int requestEventVolatile()
    {
        // front end: ordered after our volatile req_prod store (Dekker pair with the back end's final check).
        return buffer.getIntVolatile(ringOffset + REQ_EVENT_OFFSET);
    }

    void requestEventVolatile(final int index)
    {
        // front end sees the new req_event before we re-read req_prod (mb in RING_FINAL_CHECK_FOR_REQUESTS).
        buffer.putIntVolatile(ringOffset + REQ_EVENT_OFFSET, index);
    }

    // ---- rsp_prod: written by the back end, read by the front end ----

    int responseProducerAcquire()
    {
        // front end: response bodies written before rsp_prod are visible once we see rsp_prod (rmb).
        return buffer.getIntAcquire(ringOffset + RSP_PROD_OFFSET);
    }

    int responseProducerVolatile()
    {
        // front end, after a volatile rsp_event store: pairs with the back end's volatile rsp_prod store.
        return buffer.getIntVolatile(ringOffset + RSP_PROD_OFFSET);
    }

    void responseProducerRelease(final int index)
    {
        // front end sees the response bodies before it sees rsp_prod (wmb in RING_PUSH_RESPONSES).
        buffer.putIntRelease(ringOffset + RSP_PROD_OFFSET, index);
    }

    void responseProducerVolatile(final int index)
    {
        // front end sees the bodies before rsp_prod, and we read rsp_event only after rsp_prod is visible (mb).
        buffer.putIntVolatile(ringOffset + RSP_PROD_OFFSET, index);
    }

    // ---- rsp_event: written by the front end, read by the back end ----

    int responseEventVolatile()
    {
        // back end: ordered after our volatile rsp_prod store (Dekker pair with the front end's final check).
        return buffer.getIntVolatile(ringOffset + RSP_EVENT_OFFSET);
    }

    void responseEventVolatile(final int index)
    {
        // back end sees the new rsp_event before we re-read rsp_prod (mb in RING_FINAL_CHECK_FOR_RESPONSES).
        buffer.putIntVolatile(ringOffset + RSP_EVENT_OFFSET, index);
    }

    /** Diagnostic snapshot of the four shared indices; never used for decisions. */
    @Override
    public String toString()
    {
        return "SharedRing{" + layout.name() + ", size=" + size +
            ", req_prod=" + Integer.toUnsignedString(buffer.getIntVolatile(ringOffset + REQ_PROD_OFFSET)) +
            ", req_event=" + Integer.toUnsignedString(buffer.getIntVolatile(ringOffset + REQ_EVENT_OFFSET)) +
            ", rsp_prod=" + Integer.toUnsignedString(buffer.getIntVolatile(ringOffset + RSP_PROD_OFFSET)) +
            ", rsp_event=" + Integer.toUnsignedString(buffer.getIntVolatile(ringOffset + RSP_EVENT_OFFSET)) + "}";
    }
}
