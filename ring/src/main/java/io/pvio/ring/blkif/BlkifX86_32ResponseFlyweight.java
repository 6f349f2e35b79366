package io.pvio.ring.blkif;

import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.blkif.BlkifX86_32ResponseDescriptor.ID_OFFSET;
import static io.pvio.ring.blkif.BlkifX86_32ResponseDescriptor.LENGTH;
import static io.pvio.ring.blkif.BlkifX86_32ResponseDescriptor.OPERATION_OFFSET;
import static io.pvio.ring.blkif.BlkifX86_32ResponseDescriptor.STATUS_OFFSET;
import static io.pvio.ring.blkif.BlkifX86_32ResponseDescriptor.STATUS_WORD_OFFSET;

/**
 * Flyweight over a {@code blkif_response} slot in the x86_32 ABI ({@link BlkifX86_32ResponseDescriptor}).
 * Plain accesses: the back ring's release store of rsp_prod publishes them.
 */
public final class BlkifX86_32ResponseFlyweight
{
    private AtomicBuffer buffer;
    private int offset;

    /** @return this. */
    public BlkifX86_32ResponseFlyweight wrap(final AtomicBuffer buffer, final int offset)
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

    /** Writes all 12 bytes: id, operation, status, and the zero padding byte (CVE-2017-10911). */
    public BlkifX86_32ResponseFlyweight write(final long id, final int operation, final int status)
    {
        writeResponse(buffer, offset, id, operation, status);
        return this;
    }

    /** As {@link #write} at {@code offset} of {@code buffer}, without a flyweight. */
    public static void writeResponse(
        final AtomicBuffer buffer, final int offset, final long id, final int operation, final int status)
    {
        buffer.putLong(offset + ID_OFFSET, id);
        buffer.putInt(offset + STATUS_WORD_OFFSET, BlkifX86_32ResponseDescriptor.statusWord(operation, status));
    }
}
