package io.pvio.ring.blkif;

import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.blkif.BlkifResponseDescriptor.ID_OFFSET;
import static io.pvio.ring.blkif.BlkifResponseDescriptor.LENGTH;
import static io.pvio.ring.blkif.BlkifResponseDescriptor.OPERATION_OFFSET;
import static io.pvio.ring.blkif.BlkifResponseDescriptor.STATUS_OFFSET;
import static io.pvio.ring.blkif.BlkifResponseDescriptor.STATUS_WORD_OFFSET;

/**
 * Flyweight over a {@code blkif_response} slot in the x86_64 ABI ({@link BlkifResponseDescriptor}).
 * Back ends write whole responses with {@link #write}, which zeroes the padding; front ends read them.
 * Plain accesses: the back ring's release store of rsp_prod publishes them.
 */
public final class BlkifResponseFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /**
     * @param offset absolute offset of the slot (e.g. from {@code BackRing.claimResponse()}).
     * @return this.
     */
    public BlkifResponseFlyweight wrap(final AtomicBuffer buffer, final int offset)
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

    public long id()
    {
        return buffer.getLong(offset + ID_OFFSET);
    }

    public int operation()
    {
        return buffer.getByte(offset + OPERATION_OFFSET) & 0xFF;
    }

    /** status (s16), sign-extended. */
    public int status()
    {
        return buffer.getShort(offset + STATUS_OFFSET);
    }

    /** Writes all 16 bytes: id, operation, status, and zero padding (CVE-2017-10911). */
    public BlkifResponseFlyweight write(final long id, final int operation, final int status)
    {
        writeResponse(buffer, offset, id, operation, status);
        return this;
    }

    /** As {@link #write} at {@code offset} of {@code buffer}, without a flyweight. */
    public static void writeResponse(
        final AtomicBuffer buffer, final int offset, final long id, final int operation, final int status)
    {
        buffer.putLong(offset + ID_OFFSET, id);
        buffer.putLong(offset + STATUS_WORD_OFFSET, BlkifResponseDescriptor.statusWord(operation, status));
    }
}
