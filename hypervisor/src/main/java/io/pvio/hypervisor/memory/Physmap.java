package io.pvio.hypervisor.memory;

import io.pvio.hypervisor.hypercall.XenErrno;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * One domain's pseudo-physical memory: guest frame numbers (gfn) 0 .. {@link #gfnCount()} - 1, each either empty or
 * backed by one machine frame the domain owns (its reservation), at most {@link #maxPages()} of them (Xen's
 * {@code max_pages}, raised or lowered by dom0's {@code XEN_DOMCTL_max_mem}).
 * <p>
 * Each populated gfn holds one reference to its frame. A gfn the hypervisor itself uses (shared info, grant table
 * frames) is {@link #pin pinned} and cannot be released by the guest. The guest's views of its frames
 * ({@link #guestView}) are cached per gfn and re-pointed at a {@link SinkFrame} when the frame leaves the domain.
 * <p>
 * Thread-safe: every method holds this object's monitor (control path; the grant copy data path takes it only for
 * the gfn-to-frame translation in {@link #retainFrame}). Mutators return 0 or a negated {@link XenErrno} value.
 */
public final class Physmap
{
    private final MachineMemory memory;
    private final int ownerToken;
    private final int[] mfns;
    private final UnsafeBuffer[] views;
    private final boolean[] pinned;
    private final SinkFrame sink;
    private int maxPages;
    private int populatedPages;
    private boolean released;

    /**
     * @param memory     the machine's frames.
     * @param ownerToken the owning domain's unique token (recorded on each frame it claims).
     * @param gfnCount   size of the pseudo-physical space.
     * @param maxPages   the reservation ceiling.
     * @param sink       where revoked views point.
     */
    public Physmap(
        final MachineMemory memory, final int ownerToken, final int gfnCount, final int maxPages, final SinkFrame sink)
    {
        if (gfnCount <= 0 || maxPages < 0)
        {
            throw new IllegalArgumentException("gfnCount must be positive and maxPages non-negative: " +
                gfnCount + ", " + maxPages);
        }
        this.memory = memory;
        this.ownerToken = ownerToken;
        this.mfns = new int[gfnCount];
        Arrays.fill(mfns, MachineMemory.INVALID_MFN);
        this.views = new UnsafeBuffer[gfnCount];
        this.pinned = new boolean[gfnCount];
        this.sink = sink;
        this.maxPages = maxPages;
    }

    public int gfnCount()
    {
        return mfns.length;
    }

    public int ownerToken()
    {
        return ownerToken;
    }

    /** {@code XENMEM_maximum_reservation}. */
    public synchronized int maxPages()
    {
        return maxPages;
    }

    /** {@code XEN_DOMCTL_max_mem}: a lower ceiling than the current reservation stops growth, it frees nothing. */
    public synchronized void maxPages(final int maxPages)
    {
        if (maxPages < 0)
        {
            throw new IllegalArgumentException("maxPages must be non-negative: " + maxPages);
        }
        this.maxPages = maxPages;
    }

    /** {@code XENMEM_current_reservation}: populated gfns. */
    public synchronized int populatedPages()
    {
        return populatedPages;
    }

    /** Whether {@code gfn} is in range and backed by a frame. */
    public synchronized boolean isPopulated(final long gfn)
    {
        return inRange(gfn) && mfns[(int)gfn] != MachineMemory.INVALID_MFN;
    }

    /**
     * Backs {@code gfn} with a fresh zeroed frame.
     *
     * @return 0, or -EINVAL (gfn out of range or after teardown), -EEXIST (already populated), -ENOMEM (reservation
     * at its ceiling, or the machine has no free frame).
     */
    public synchronized int populate(final long gfn)
    {
        if (released || !inRange(gfn))
        {
            return XenErrno.EINVAL.negated();
        }
        final int index = (int)gfn;
        if (mfns[index] != MachineMemory.INVALID_MFN)
        {
            return XenErrno.EEXIST.negated();
        }
        if (populatedPages >= maxPages)
        {
            return XenErrno.ENOMEM.negated();
        }
        final int mfn = memory.claimFrame(ownerToken);
        if (mfn == MachineMemory.INVALID_MFN)
        {
            return XenErrno.ENOMEM.negated();
        }
        mfns[index] = mfn;
        populatedPages++;
        if (views[index] != null)
        {
            memory.wrapFrameView(views[index], mfn);
        }
        return 0;
    }

    /**
     * Backs the lowest empty gfn with a fresh zeroed frame, choosing and populating under one lock so that two
     * threads of the same domain never pick the same gfn ({@code XENMEM_increase_reservation}).
     *
     * @return the gfn populated, or a negated errno as {@link #populate}, -ENOMEM when every gfn is populated.
     */
    public synchronized long populateLowestEmpty()
    {
        final long gfn = lowestEmptyGfn();
        if (gfn < 0)
        {
            return XenErrno.ENOMEM.negated();
        }
        final int rc = populate(gfn);
        return rc < 0 ? rc : gfn;
    }

    /** The lowest empty gfn, or -1 if every gfn is populated. */
    public synchronized long lowestEmptyGfn()
    {
        for (int gfn = 0; gfn < mfns.length; gfn++)
        {
            if (mfns[gfn] == MachineMemory.INVALID_MFN)
            {
                return gfn;
            }
        }
        return -1;
    }

    /**
     * Gives {@code gfn}'s frame back (a balloon's {@code XENMEM_decrease_reservation}); the guest's view of it now
     * points at its sink page.
     *
     * @return 0, or -EINVAL (out of range), -ENOENT (not populated), -EBUSY (pinned by the hypervisor).
     */
    public synchronized int depopulate(final long gfn)
    {
        if (!inRange(gfn))
        {
            return XenErrno.EINVAL.negated();
        }
        final int index = (int)gfn;
        if (mfns[index] == MachineMemory.INVALID_MFN)
        {
            return XenErrno.ENOENT.negated();
        }
        if (pinned[index])
        {
            return XenErrno.EBUSY.negated();
        }
        releaseGfn(index);
        return 0;
    }

    /** Marks a populated gfn as used by the hypervisor: the guest cannot release it. */
    public synchronized void pin(final long gfn)
    {
        if (!inRange(gfn) || mfns[(int)gfn] == MachineMemory.INVALID_MFN)
        {
            throw new IllegalArgumentException("cannot pin empty gfn " + gfn);
        }
        pinned[(int)gfn] = true;
    }

    /** The frame behind {@code gfn}, or {@link MachineMemory#INVALID_MFN}. Hypervisor use. */
    public synchronized int mfn(final long gfn)
    {
        return inRange(gfn) ? mfns[(int)gfn] : MachineMemory.INVALID_MFN;
    }

    /**
     * Translates {@code gfn} and retains its frame, atomically with respect to the guest releasing it
     * (Xen's {@code get_page_from_gfn}). Pair with {@link MachineMemory#releaseFrame}.
     *
     * @return the frame, or {@link MachineMemory#INVALID_MFN} if {@code gfn} is out of range or empty.
     */
    public synchronized int retainFrame(final long gfn)
    {
        if (!inRange(gfn))
        {
            return MachineMemory.INVALID_MFN;
        }
        final int mfn = mfns[(int)gfn];
        if (mfn != MachineMemory.INVALID_MFN)
        {
            memory.retainFrame(mfn);
        }
        return mfn;
    }

    /**
     * The guest's own view of {@code gfn}: the same object on every call while the gfn stays populated.
     *
     * @throws MemoryFaultException EINVAL if out of range, EFAULT if empty.
     */
    public synchronized UnsafeBuffer guestView(final long gfn)
    {
        if (!inRange(gfn))
        {
            throw new MemoryFaultException(XenErrno.EINVAL, gfn, "outside the domain's " + mfns.length + " gfns");
        }
        final int index = (int)gfn;
        final int mfn = mfns[index];
        if (mfn == MachineMemory.INVALID_MFN)
        {
            throw new MemoryFaultException(XenErrno.EFAULT, gfn, "no frame behind this gfn");
        }
        UnsafeBuffer view = views[index];
        if (view == null)
        {
            view = memory.newFrameView(mfn);
            views[index] = view;
        }
        return view;
    }

    /**
     * Teardown: releases every frame (each is freed once nobody else maps it) and revokes every view. Afterwards
     * nothing can be populated.
     *
     * @return the frames released.
     */
    public synchronized int releaseAll()
    {
        released = true;
        int count = 0;
        for (int gfn = 0; gfn < mfns.length; gfn++)
        {
            if (mfns[gfn] != MachineMemory.INVALID_MFN)
            {
                releaseGfn(gfn);
                count++;
            }
            pinned[gfn] = false;
        }
        return count;
    }

    private void releaseGfn(final int index)
    {
        final int mfn = mfns[index];
        mfns[index] = MachineMemory.INVALID_MFN;
        populatedPages--;
        if (views[index] != null)
        {
            sink.revoke(views[index]);
        }
        memory.releaseFrame(mfn);
    }

    private boolean inRange(final long gfn)
    {
        return gfn >= 0 && gfn < mfns.length;
    }
}
