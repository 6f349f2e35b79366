package io.pvio.hypervisor.xenbus;

import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.guest.EventIdleStrategy;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.guest.RetryBackoff;
import io.pvio.hypervisor.hypercall.Hypercalls;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import java.util.ArrayList;
import java.util.List;

/**
 * Guest-wide, shared by a guest's front-end drivers (blkfront's {@code BlkfrontXenbus} owns one): what a front end
 * gave up while its back end still mapped it (Linux's gnttab deferred list, {@code gnttab_add_deferred}). Dropped rings ({@link XenbusFrontRing}s: pages, grants, port)
 * and single grants, each with the page behind it if that page is ours to give back (indirect and persistent pages)
 * or {@link #NO_GFN} if it is a caller's (a per-request grant). Its agent retries them until the back end lets go:
 * then each grant is ended and its page returned to the hypervisor ({@code decreaseReservation}). It outlives the
 * devices that handed things over, so a device removed while its back end is still connected leaks nothing once the
 * back end unmaps.
 * <p>
 * No event says when a back end unmaps, so the agent polls, backing off ({@link RetryBackoff}) from 1 ms to
 * 1 s while nothing comes back; it parks for good while the list is empty. What is still mapped when the owning driver
 * itself closes stays granted (and the pages with the guest): it can no longer be reused safely.
 * <p>
 * The list is guarded by the {@link GrantAccess} monitor: {@link #deferRing} and {@link #deferGrant} are called on
 * the control path with it held (from device agents and the bus thread), and the agent takes it to retry.
 */
public final class DeferredGrantRelease implements Agent
{
    /** {@link #deferGrant}'s page when the page is not ours to give back. */
    public static final long NO_GFN = -1;

    private final String name;
    private final Hypercalls hypercalls;
    private final GrantAccess grants;
    private final EventIdleStrategy idle;
    private final NanoClock clock;
    private final RetryBackoff backoff = new RetryBackoff();
    private final long[] gfnToFree = new long[1];

    // guarded by the grants monitor
    private final List<XenbusFrontRing> rings = new ArrayList<>();
    private final IntArrayList refs = new IntArrayList();
    /** The page behind each of {@link #refs}, or {@link #NO_GFN}. */
    private final LongArrayList gfns = new LongArrayList();

    public DeferredGrantRelease(
        final String name,
        final Hypercalls hypercalls,
        final GrantAccess grants,
        final EventIdleStrategy idle,
        final NanoClock clock)
    {
        this.clock = clock;
        this.name = name;
        this.hypercalls = hypercalls;
        this.grants = grants;
        this.idle = idle;
    }

    /** {@code ring}'s {@link XenbusFrontRing#release()} left grants the back end still maps. Grants monitor held. */
    public void deferRing(final XenbusFrontRing ring)
    {
        rings.add(ring);
        idle.signal();
    }

    /**
     * {@code ref} is still mapped: end it once the back end lets go, then give back {@code gfn} (our own page that
     * it grants) unless it is {@link #NO_GFN}. Grants monitor held.
     */
    public void deferGrant(final int ref, final long gfn)
    {
        refs.addInt(ref);
        gfns.addLong(gfn);
        idle.signal();
    }

    /** Grants waiting for the back end to let go: single ones and those of rings. Any thread. */
    public int pendingGrantCount()
    {
        synchronized (grants)
        {
            int pending = refs.size();
            for (int i = 0; i < rings.size(); i++)
            {
                pending += rings.get(i).pendingRefs();
            }
            return pending;
        }
    }

    @Override
    public String roleName()
    {
        return name;
    }

    @Override
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        int released = 0;
        final boolean pending;
        synchronized (grants)
        {
            if (backoff.isDue(nowNs))
            {
                released = retry();
            }
            pending = !rings.isEmpty() || !refs.isEmpty();
        }
        if (pending)
        {
            // no event says when the back end unmaps: look again later, less often while it keeps everything
            idle.wakeWithin(backoff.waitNs(nowNs, released > 0));
        }
        else
        {
            backoff.reset();
        }
        return released;
    }

    /** One last try; whatever the back end still maps stays granted. */
    @Override
    public void onClose()
    {
        synchronized (grants)
        {
            retry();
        }
    }

    /** Grants monitor held. @return grants ended. */
    private int retry()
    {
        int released = 0;
        for (int i = rings.size() - 1; i >= 0; i--)
        {
            final XenbusFrontRing ring = rings.get(i);
            final int before = ring.pendingRefs();
            final int after = ring.release();
            released += before - after;
            if (after == 0)
            {
                rings.remove(i);
            }
        }
        for (int i = refs.size() - 1; i >= 0; i--)
        {
            if (grants.tryEndAccess(refs.getInt(i)))
            {
                final long gfn = gfns.getLong(i);
                if (gfn != NO_GFN)
                {
                    // the back end can no longer reach the page: it goes back to the hypervisor
                    gfnToFree[0] = gfn;
                    hypercalls.memory().decreaseReservation(DomainId.SELF, gfnToFree, 1);
                }
                refs.fastUnorderedRemove(i);
                gfns.fastUnorderedRemove(i);
                released++;
            }
        }
        return released;
    }
}
