package io.pvio.hypervisor.hypercall;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.domain.DomainManager;
import io.pvio.hypervisor.memory.Physmap;

/**
 * {@code HYPERVISOR_memory_op} for one domain: the balloon ({@code XENMEM_increase_reservation},
 * {@code XENMEM_decrease_reservation}, {@code XENMEM_populate_physmap}) and the reservation queries. Each takes a
 * target domain: {@link DomainId#SELF} (or the caller's id); another domain only for dom0.
 * <p>
 * Batches report progress as Xen does, as the number of extents done, stopping at the first that fails. So that no
 * failure goes unexplained, a batch in which not even the first extent succeeds throws that extent's errno instead.
 */
public final class MemoryOp
{
    private final Domain self;
    private final DomainManager manager;

    MemoryOp(final Domain self, final DomainManager manager)
    {
        this.self = self;
        this.manager = manager;
    }

    /**
     * {@code XENMEM_increase_reservation}: adds {@code count} fresh zeroed frames at the lowest empty gfns.
     *
     * @param gfnsOut receives the gfns populated (at least {@code count} long).
     * @return frames added (&lt; count if the ceiling or the machine ran out part way).
     * @throws HypercallException EPERM, ESRCH, EINVAL (bad count), ENOMEM (not even one frame added).
     */
    public int increaseReservation(final int dom, final int count, final long[] gfnsOut)
    {
        final HypercallOp op = HypercallOp.MEMORY_INCREASE_RESERVATION;
        self.counters().increment(op);
        final Physmap physmap = target(dom, op).physmap();
        checkCount(count, gfnsOut.length, op);
        for (int i = 0; i < count; i++)
        {
            // chosen and populated atomically: another vCPU of this domain may be ballooning at the same time
            final long gfnOrErrno = physmap.populateLowestEmpty();
            if (gfnOrErrno < 0)
            {
                return partial(i, (int)gfnOrErrno, op, "increase reservation");
            }
            gfnsOut[i] = gfnOrErrno;
        }
        return count;
    }

    /**
     * {@code XENMEM_increase_reservation} with {@code extent_order}: adds {@code count} extents of {@code 2^order}
     * machine-contiguous fresh zeroed frames, each at the lowest run of empty gfns aligned to its size (order 0 is
     * {@link #increaseReservation(int, int, long[])}). For multi-page rings, which a back end must be able to see as
     * one run of frames.
     *
     * @param gfnsOut receives the first gfn of each extent.
     * @return extents added (&lt; count if memory ran out part way).
     * @throws HypercallException EPERM, ESRCH, EINVAL (bad count or order), ENOMEM (not even one extent added).
     */
    public int increaseReservation(final int dom, final int count, final int extentOrder, final long[] gfnsOut)
    {
        if (extentOrder == 0)
        {
            return increaseReservation(dom, count, gfnsOut);
        }
        final HypercallOp op = HypercallOp.MEMORY_INCREASE_RESERVATION;
        self.counters().increment(op);
        final Physmap physmap = target(dom, op).physmap();
        checkCount(count, gfnsOut.length, op);
        for (int i = 0; i < count; i++)
        {
            final long gfnOrErrno = physmap.populateContiguousLowestEmpty(extentOrder);
            if (gfnOrErrno < 0)
            {
                return partial(i, (int)gfnOrErrno, op, "increase reservation of order " + extentOrder);
            }
            gfnsOut[i] = gfnOrErrno;
        }
        return count;
    }

    /**
     * {@code XENMEM_populate_physmap}: backs each of {@code gfns[0 .. count)} with a fresh zeroed frame.
     *
     * @return gfns populated.
     * @throws HypercallException EPERM, ESRCH, EINVAL, or the first gfn's error: EINVAL (out of range), EEXIST
     * (already populated), ENOMEM (ceiling reached or machine full).
     */
    public int populatePhysmap(final int dom, final long[] gfns, final int count)
    {
        final HypercallOp op = HypercallOp.MEMORY_POPULATE_PHYSMAP;
        self.counters().increment(op);
        final Physmap physmap = target(dom, op).physmap();
        checkCount(count, gfns.length, op);
        for (int i = 0; i < count; i++)
        {
            final int rc = physmap.populate(gfns[i]);
            if (rc < 0)
            {
                return partial(i, rc, op, "gfn " + gfns[i]);
            }
        }
        return count;
    }

    /**
     * {@code XENMEM_decrease_reservation}: gives back the frames behind {@code gfns[0 .. count)}.
     *
     * @return gfns released.
     * @throws HypercallException EPERM, ESRCH, EINVAL, or the first gfn's error: EINVAL (out of range), ENOENT (no
     * frame there), EBUSY (a frame the hypervisor uses: shared info or grant table).
     */
    public int decreaseReservation(final int dom, final long[] gfns, final int count)
    {
        final HypercallOp op = HypercallOp.MEMORY_DECREASE_RESERVATION;
        self.counters().increment(op);
        final Physmap physmap = target(dom, op).physmap();
        checkCount(count, gfns.length, op);
        for (int i = 0; i < count; i++)
        {
            final int rc = physmap.depopulate(gfns[i]);
            if (rc < 0)
            {
                return partial(i, rc, op, "gfn " + gfns[i]);
            }
        }
        return count;
    }

    /** {@code XENMEM_current_reservation}: frames the domain holds. */
    public int currentReservation(final int dom)
    {
        final HypercallOp op = HypercallOp.MEMORY_CURRENT_RESERVATION;
        self.counters().increment(op);
        return target(dom, op).physmap().populatedPages();
    }

    /** {@code XENMEM_maximum_reservation}: the domain's ceiling. */
    public int maximumReservation(final int dom)
    {
        final HypercallOp op = HypercallOp.MEMORY_MAXIMUM_RESERVATION;
        self.counters().increment(op);
        return target(dom, op).physmap().maxPages();
    }

    private Domain target(final int dom, final HypercallOp op)
    {
        if (dom == DomainId.SELF || dom == self.domid())
        {
            return self;
        }
        if (!self.isPrivileged())
        {
            throw new HypercallException(XenErrno.EPERM, op, "d" + self.domid() + " may not act on d" + dom);
        }
        final Domain target = manager.domains().get(dom);
        if (target == null)
        {
            throw new HypercallException(XenErrno.ESRCH, op, "no domain " + dom);
        }
        return target;
    }

    private static void checkCount(final int count, final int arrayLength, final HypercallOp op)
    {
        if (count < 0 || count > arrayLength)
        {
            throw new HypercallException(XenErrno.EINVAL, op, "count " + count + " for " + arrayLength + " extents");
        }
    }

    private static int partial(final int done, final int rc, final HypercallOp op, final String what)
    {
        if (done == 0)
        {
            throw new HypercallException(XenErrno.of(rc), op, what + " failed");
        }
        return done;
    }
}
