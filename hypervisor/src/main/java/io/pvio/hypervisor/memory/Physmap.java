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
    /**
     * The largest extent a domain may ask for: 2^9 frames (2 MiB), Xen's default for a guest ({@code domU_max_order},
     * a superpage). Multi-page rings use up to 2^4; block buffers up to 2^8.
     */
    public static final int MAX_EXTENT_ORDER = 9;

    private final MachineMemory memory;
    private final int ownerToken;
    private final int[] mfns;
    private final UnsafeBuffer[] views;
    /** For each gfn, the view of a run of frames it is part of ({@link #areaView}), revoked when it goes. */
    private final UnsafeBuffer[] areaViews;
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
        this.areaViews = new UnsafeBuffer[gfnCount];
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

    /**
     * Backs the lowest run of {@code 2^order} empty gfns, aligned to {@code 2^order}, with as many machine-contiguous
     * fresh zeroed frames ({@code XENMEM_increase_reservation} with {@code extent_order}: one extent).
     *
     * @return the first gfn of the run, or -EINVAL (order outside 0..{@link #MAX_EXTENT_ORDER}, or after
     * teardown), -ENOMEM (no such run of gfns, the ceiling would be passed, or no run of free machine frames).
     */
    public synchronized long populateContiguousLowestEmpty(final int order)
    {
        if (released || order < 0 || order > MAX_EXTENT_ORDER)
        {
            return XenErrno.EINVAL.negated();
        }
        final int count = 1 << order;
        if (populatedPages + count > maxPages)
        {
            return XenErrno.ENOMEM.negated();
        }
        int first = -1;
        for (int gfn = 0; gfn + count <= mfns.length && first < 0; gfn += count)
        {
            first = gfn;
            for (int i = gfn; i < gfn + count; i++)
            {
                if (mfns[i] != MachineMemory.INVALID_MFN)
                {
                    first = -1;
                    break;
                }
            }
        }
        if (first < 0)
        {
            return XenErrno.ENOMEM.negated();
        }
        final int firstMfn = memory.claimContiguous(ownerToken, count);
        if (firstMfn == MachineMemory.INVALID_MFN)
        {
            return XenErrno.ENOMEM.negated();
        }
        for (int i = 0; i < count; i++)
        {
            mfns[first + i] = firstMfn + i;
            populatedPages++;
            if (views[first + i] != null)
            {
                memory.wrapFrameView(views[first + i], firstMfn + i);
            }
        }
        return first;
    }

    /**
     * The guest's own view of {@code count} consecutive gfns whose frames are machine-contiguous (as an extent
     * populated by {@link #populateContiguousLowestEmpty} is): one buffer over them all, revoked (re-pointed at the
     * sink) as soon as any of them leaves the domain. A gfn is part of at most one live area. A new view per call:
     * control path.
     *
     * @throws MemoryFaultException EINVAL if out of range or longer than {@link SinkFrame#MAX_AREA_PAGES}, EFAULT if
     * a gfn is empty or the frames are not consecutive, EBUSY if a gfn is already part of a live area.
     */
    public synchronized UnsafeBuffer areaView(final long gfn, final int count)
    {
        if (count < 1 || count > SinkFrame.MAX_AREA_PAGES || !inRange(gfn) || !inRange(gfn + count - 1))
        {
            throw new MemoryFaultException(XenErrno.EINVAL, gfn, count + " pages from here is not a valid area");
        }
        final int first = (int)gfn;
        final int firstMfn = mfns[first];
        for (int i = 0; i < count; i++)
        {
            if (mfns[first + i] == MachineMemory.INVALID_MFN || mfns[first + i] != firstMfn + i)
            {
                throw new MemoryFaultException(XenErrno.EFAULT, gfn + i, "not populated by one contiguous extent");
            }
        }
        for (int i = 0; i < count; i++)
        {
            if (areaViews[first + i] != null)
            {
                // one live area per frame: a second, overlapping one could outlive the frame (only one is revoked)
                throw new MemoryFaultException(XenErrno.EBUSY, gfn + i, "already part of a live area");
            }
        }
        final UnsafeBuffer view = memory.newAreaView(firstMfn, count);
        for (int i = 0; i < count; i++)
        {
            areaViews[first + i] = view;
        }
        return view;
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
        final UnsafeBuffer area = areaViews[index];
        if (area != null)
        {
            // the whole area goes with any of its frames: revoked, and forgotten by every gfn it spans (they lie
            // within MAX_AREA_PAGES of this one), so those gfns may be part of a new area later
            sink.revokeArea(area);
            final int from = Math.max(0, index - SinkFrame.MAX_AREA_PAGES + 1);
            final int to = Math.min(areaViews.length, index + SinkFrame.MAX_AREA_PAGES);
            for (int i = from; i < to; i++)
            {
                if (areaViews[i] == area)
                {
                    areaViews[i] = null;
                }
            }
        }
        memory.releaseFrame(mfn);
    }

    private boolean inRange(final long gfn)
    {
        return gfn >= 0 && gfn < mfns.length;
    }
}
