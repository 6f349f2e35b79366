package io.pvio.examples.bench.ring;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Sizing of the two Agrona {@link OneToOneRingBuffer}s (one each way) that carry blkif requests and responses as
 * records. A ring buffer's capacity is a power of two of bytes, so it is the smallest one that holds the in-flight
 * window of records plus one record of wrap-around padding; the front end's window, not the byte capacity, bounds
 * what is in flight, exactly as for the other rings.
 */
final class AgronaRings
{
    static final int REQUEST_MSG_TYPE_ID = 1;
    static final int RESPONSE_MSG_TYPE_ID = 2;

    private AgronaRings()
    {
    }

    /** A ring buffer able to hold {@code entries} records of {@code messageBytes} each. */
    static OneToOneRingBuffer ringBuffer(final int entries, final int messageBytes)
    {
        final int recordBytes =
            BitUtil.align(RecordDescriptor.HEADER_LENGTH + messageBytes, RecordDescriptor.ALIGNMENT);
        final int capacityBytes = BitUtil.findNextPositivePowerOfTwo((entries + 1) * recordBytes);
        final int totalBytes = capacityBytes + RingBufferDescriptor.TRAILER_LENGTH;
        return new OneToOneRingBuffer(
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(totalBytes, BitUtil.CACHE_LINE_LENGTH * 2)));
    }
}
