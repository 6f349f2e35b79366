package io.pvio.hypervisor.memory;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * A private off-heap page where a domain's revoked views point: when a frame leaves a domain (ballooned out,
 * unmapped, or the domain dies), every view the domain was given of it is re-pointed here, so a stale view reads
 * and writes this domain's own scratch page, never a frame that may since belong to someone else.
 * <p>
 * Re-pointing swaps one off-heap address for another of the same length, so a thread racing the swap sees either the
 * old frame or this page, both valid memory. It is a best-effort revocation: Java offers no page tables, and a
 * thread that keeps using a view after giving it back may still touch the old frame for a moment.
 */
public final class SinkFrame
{
    private final ByteBuffer page = BufferUtil.allocateDirectAligned(
        MachineMemory.PAGE_SIZE_BYTES, MachineMemory.PAGE_SIZE_BYTES);
    private final long address = new UnsafeBuffer(page).addressOffset();

    /** Re-points {@code view} at this page. */
    public void revoke(final UnsafeBuffer view)
    {
        view.wrap(address, MachineMemory.PAGE_SIZE_BYTES);
    }

    /** Whether {@code view} points at this page (it was revoked). */
    public boolean isRevoked(final UnsafeBuffer view)
    {
        return view.addressOffset() == address;
    }
}
