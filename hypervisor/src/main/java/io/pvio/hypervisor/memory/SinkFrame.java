package io.pvio.hypervisor.memory;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * A private off-heap page (and room behind it for a view of a run of frames) where a domain's revoked views point: when a frame leaves a domain (ballooned out,
 * unmapped, or the domain dies), every view the domain was given of it is re-pointed here, so a stale view reads
 * and writes this domain's own scratch page, never a frame that may since belong to someone else.
 * <p>
 * Re-pointing swaps one off-heap address for another of the same length, so a thread racing the swap sees either the
 * old frame or this page, both valid memory. It is a best-effort revocation: Java offers no page tables, and a
 * thread that keeps using a view after giving it back may still touch the old frame for a moment.
 */
public final class SinkFrame
{
    /** The longest run of frames one view may span ({@link #revokeArea}): a 16-page ring (XENBUS_MAX_RING_GRANTS). */
    public static final int MAX_AREA_PAGES = 16;

    private final ByteBuffer page = BufferUtil.allocateDirectAligned(
        MAX_AREA_PAGES * MachineMemory.PAGE_SIZE_BYTES, MachineMemory.PAGE_SIZE_BYTES);
    private final long address = new UnsafeBuffer(page).addressOffset();

    /** Re-points {@code view} at this page. */
    public void revoke(final UnsafeBuffer view)
    {
        view.wrap(address, MachineMemory.PAGE_SIZE_BYTES);
    }

    /** Re-points a view of a run of frames (at most {@link #MAX_AREA_PAGES}) at this scratch area, same length. */
    public void revokeArea(final UnsafeBuffer view)
    {
        final int lengthBytes = view.capacity();
        if (lengthBytes > MAX_AREA_PAGES * MachineMemory.PAGE_SIZE_BYTES)
        {
            throw new IllegalArgumentException("a view of " + lengthBytes + " bytes is longer than any area");
        }
        view.wrap(address, lengthBytes);
    }

    /** Whether {@code view} points at this page (it was revoked). */
    public boolean isRevoked(final UnsafeBuffer view)
    {
        return view.addressOffset() == address;
    }
}
