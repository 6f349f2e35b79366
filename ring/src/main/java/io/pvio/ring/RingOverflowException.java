package io.pvio.ring;

/**
 * The peer published a producer index the ring cannot hold: more entries than slots, or an index that went
 * backwards ({@code RING_REQUEST_PROD_OVERFLOW} / {@code RING_RESPONSE_PROD_OVERFLOW} in {@code xen/io/ring.h}).
 * The ring that saw it is halted: every later poll throws the same exception, and nothing past the last validated
 * producer index is ever read. Handling it means disconnecting that ring and nothing else.
 */
public final class RingOverflowException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String ringName;
    private final int producerIndex;
    private final int consumerIndex;
    private final int ringSize;

    RingOverflowException(
        final String ringName, final String what, final int producerIndex, final int consumerIndex, final int ringSize)
    {
        super(ringName + ": hostile " + what + " index " + Integer.toUnsignedString(producerIndex) +
            " with consumer at " + Integer.toUnsignedString(consumerIndex) + " on a ring of " + ringSize +
            " entries; ring halted");
        this.ringName = ringName;
        this.producerIndex = producerIndex;
        this.consumerIndex = consumerIndex;
        this.ringSize = ringSize;
    }

    public String ringName()
    {
        return ringName;
    }

    /** The producer index the peer published (unsigned 32-bit). */
    public int producerIndex()
    {
        return producerIndex;
    }

    /** Our consumer index when it was seen (unsigned 32-bit). */
    public int consumerIndex()
    {
        return consumerIndex;
    }

    public int ringSize()
    {
        return ringSize;
    }
}
