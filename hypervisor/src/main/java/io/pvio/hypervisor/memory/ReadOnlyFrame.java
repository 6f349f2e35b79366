package io.pvio.hypervisor.memory;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A view of one 4 KiB frame that can only be read: what a read-only grant mapping gives. It deliberately is not an
 * Agrona buffer (those can be written, and re-wrapped at any address); it exposes bounds-checked loads and copies
 * out, nothing else.
 * <p>
 * The frame behind it is chosen by the hypervisor and may be revoked (re-pointed at the mapping domain's
 * {@link SinkFrame}) when the mapping goes away.
 */
public final class ReadOnlyFrame
{
    private final UnsafeBuffer frame;

    /** Wraps {@code frame}, which this object keeps private. Hypervisor use. */
    public ReadOnlyFrame(final UnsafeBuffer frame)
    {
        this.frame = frame;
    }

    public int capacity()
    {
        return frame.capacity();
    }

    public byte getByte(final int index)
    {
        return frame.getByte(index);
    }

    public short getShort(final int index)
    {
        return frame.getShort(index);
    }

    public int getInt(final int index)
    {
        return frame.getInt(index);
    }

    public long getLong(final int index)
    {
        return frame.getLong(index);
    }

    public int getIntVolatile(final int index)
    {
        // reader: the latest value the granting domain stored, ordered with our other volatile accesses.
        return frame.getIntVolatile(index);
    }

    public long getLongVolatile(final int index)
    {
        // reader: the latest value the granting domain stored, ordered with our other volatile accesses.
        return frame.getLongVolatile(index);
    }

    public int getIntAcquire(final int index)
    {
        // reader: everything the granting domain wrote before its matching release store is visible after this.
        return frame.getIntAcquire(index);
    }

    public long getLongAcquire(final int index)
    {
        // reader: everything the granting domain wrote before its matching release store is visible after this.
        return frame.getLongAcquire(index);
    }

    /** Copies {@code length} bytes at {@code index} into {@code dst}. */
    public void getBytes(final int index, final byte[] dst, final int dstOffset, final int length)
    {
        frame.getBytes(index, dst, dstOffset, length);
    }

    /**
     * Copies {@code length} bytes at {@code index} into {@code dst} at {@code dstIndex}. Only values cross to
     * {@code dst}: Agrona's own copy would pass this view's writable buffer to {@code dst.putBytes(...)}, and
     * {@code dst} may be the caller's own subclass.
     */
    public void getBytes(final int index, final MutableDirectBuffer dst, final int dstIndex, final int length)
    {
        frame.boundsCheck(index, length);
        int i = 0;
        for (; i <= length - Long.BYTES; i += Long.BYTES)
        {
            dst.putLong(dstIndex + i, frame.getLong(index + i));
        }
        for (; i < length; i++)
        {
            dst.putByte(dstIndex + i, frame.getByte(index + i));
        }
    }
}
