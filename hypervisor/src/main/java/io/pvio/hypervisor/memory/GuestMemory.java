package io.pvio.hypervisor.memory;

import org.agrona.concurrent.AtomicBuffer;

/**
 * A domain's access to its own memory: views of the frames behind its populated gfns. Guest code gets this from
 * its vCPU context; it cannot reach any other domain's frames through it. Growing or shrinking the reservation is a
 * hypercall ({@code memory_op}), not done here.
 */
public final class GuestMemory
{
    private final Physmap physmap;

    public GuestMemory(final Physmap physmap)
    {
        this.physmap = physmap;
    }

    /**
     * The view of frame {@code gfn}, 4 KiB, offsets from 0. The same object while the gfn stays populated; once the
     * gfn is released the view points at a private scratch page instead.
     *
     * @throws MemoryFaultException EINVAL if {@code gfn} is outside the domain's space, EFAULT if it has no frame.
     */
    public AtomicBuffer frame(final long gfn)
    {
        return physmap.guestView(gfn);
    }

    /**
     * One view over {@code count} consecutive gfns backed by one machine-contiguous extent (e.g. a multi-page ring
     * allocated with an extent order); revoked when any of them is released. Control path.
     */
    public AtomicBuffer area(final long gfn, final int count)
    {
        return physmap.areaView(gfn, count);
    }

    public boolean isPopulated(final long gfn)
    {
        return physmap.isPopulated(gfn);
    }

    /** Size of the domain's pseudo-physical space in frames. */
    public int gfnCount()
    {
        return physmap.gfnCount();
    }

    /** Frames the domain holds now. */
    public int populatedPages()
    {
        return physmap.populatedPages();
    }
}
