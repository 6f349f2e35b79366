package io.pvio.examples.demo.block;

import io.pvio.backend.block.BlkbackRing;
import io.pvio.examples.block.BlockMachine;
import io.pvio.frontend.block.BlkfrontXenbus;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.guest.UpcallDispatcher;
import io.pvio.hypervisor.hypercall.HypercallOp;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusFrontRing;
import io.pvio.hypervisor.xenstore.XenStoreAccess;
import io.pvio.ring.SringDescriptor;
import io.pvio.ring.blkif.BlkifRings;
import io.pvio.ring.grant.GrantEntryV1Descriptor;
import io.pvio.ring.grant.GrantEntryV1Flyweight;
import org.agrona.concurrent.AtomicBuffer;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What the demo watches of one connected vbd, from outside both drivers: per queue, the guest's and dom0's event
 * channel ports, the shared ring page (found through the guest's grant table, read only for its four indices) and
 * blkback's ring counters; per domain, the hypercall counters and the events its {@link UpcallDispatcher} delivered;
 * dom0's grant mappings; and what reached the disk. {@link #snapshot()} reads them all at once; differences between
 * two snapshots tell the story of a request.
 */
final class VbdView
{
    /** One queue: its ring and its event channel, seen from both ends. */
    record Queue(int index, int ringRef, long ringGfn, int ringSize, int guestPort, int dom0Port,
        AtomicBuffer ringPage, BlkbackRing backRing)
    {
    }

    /** The shared ring's four indices (sring header), as the demo read them. */
    record RingHeader(int reqProd, int reqEvent, int rspProd, int rspEvent)
    {
        /** An idle back end has asked to be kicked at the next request (ring.h final check). */
        boolean backEndArmed()
        {
            return reqEvent == reqProd + 1;
        }
    }

    /** Every count at one moment. Per-queue arrays are indexed by queue. */
    record Snapshot(
        long guestSends, long dom0Sends,
        long[] dom0Delivered, long[] guestDelivered,
        long dom0GrantCopies, long dom0GrantMaps, long dom0GrantUnmaps, int dom0Mappings,
        RingHeader[] rings, long[] backRequests, long[] backBatches, long[] backNotifications,
        long diskReads, long diskWrites, long diskFlushes, long bytesRead, long bytesWritten)
    {
        long dom0DeliveredOnVbd()
        {
            return sum(dom0Delivered);
        }

        long guestDeliveredOnVbd()
        {
            return sum(guestDelivered);
        }

        long totalBackRequests()
        {
            return sum(backRequests);
        }

        long totalBackBatches()
        {
            return sum(backBatches);
        }

        long totalBackNotifications()
        {
            return sum(backNotifications);
        }

        private static long sum(final long[] values)
        {
            long total = 0;
            for (final long value : values)
            {
                total += value;
            }
            return total;
        }
    }

    private static final long SETTLE_LIMIT_NS = TimeUnit.MILLISECONDS.toNanos(200);

    private final BlockMachine machine;
    private final CountingStorage disk;
    private final List<Queue> queues;

    private VbdView(final BlockMachine machine, final CountingStorage disk, final List<Queue> queues)
    {
        this.machine = machine;
        this.disk = disk;
        this.queues = queues;
    }

    /** Finds the connected device's queues from the front end's XenStore keys and the back end's rings. */
    static VbdView discover(
        final BlockMachine machine, final XenbusDevice device, final XenStoreAccess xs, final CountingStorage disk)
    {
        final String front = device.frontendPath();
        final String queueCount = xs.readOrNull(0, front + "/" + BlkfrontXenbus.MULTI_QUEUE_NUM_QUEUES);
        final int count = queueCount == null ? 1 : Integer.parseInt(queueCount);
        final List<BlkbackRing> backRings = machine.blkback().rings(device);
        if (backRings.size() != count)
        {
            throw new IllegalStateException("blkback serves " + backRings.size() + " rings, blkfront published " +
                count);
        }
        final Queue[] queues = new Queue[count];
        final Domain guest = machine.guest().domain();
        for (int q = 0; q < count; q++)
        {
            final String dir = count == 1 ? front : front + "/" + BlkfrontXenbus.QUEUE_DIR_PREFIX + q;
            // one page: ring-ref; several: ring-page-order and ring-ref0.. (the header is in the first page)
            final String order = xs.readOrNull(0, dir + "/" + XenbusFrontRing.RING_PAGE_ORDER);
            final int pageOrder = order == null ? 0 : Integer.parseInt(order);
            final int ringRef = Integer.parseInt(xs.read(0, dir + "/" + XenbusFrontRing.RING_REF +
                (order == null ? "" : "0")));
            final int guestPort = Integer.parseInt(xs.read(0, dir + "/" + XenbusFrontRing.EVENT_CHANNEL));
            // asked of the hypervisor directly, not by hypercall: the demo's looking counts for nobody
            final int dom0Port = guest.eventChannels().status(guest, guest.domid(), guestPort).remotePort();
            final long ringGfn = grantedFrame(guest, ringRef);
            queues[q] = new Queue(q, ringRef, ringGfn, BlkifRings.X86_64.ringSize(pageOrder), guestPort, dom0Port,
                guest.guestMemory().frame(ringGfn), backRings.get(q));
        }
        return new VbdView(machine, disk, List.of(queues));
    }

    /** The frame the guest's grant entry {@code ref} names (grant_entry_v1.frame). */
    private static long grantedFrame(final Domain guest, final int ref)
    {
        final long[] tableGfns = guest.startInfo().grantTableGfns();
        final int perFrame = GrantEntryV1Descriptor.ENTRIES_PER_FRAME;
        final GrantEntryV1Flyweight entry = new GrantEntryV1Flyweight().wrap(
            guest.guestMemory().frame(tableGfns[ref / perFrame]),
            (ref % perFrame) * GrantEntryV1Descriptor.ENTRY_LENGTH);
        return entry.frame() & 0xFFFF_FFFFL;
    }

    List<Queue> queues()
    {
        return queues;
    }

    Snapshot snapshot()
    {
        final Domain dom0 = machine.host().dom0();
        final Domain guest = machine.guest().domain();
        final UpcallDispatcher dom0Upcall = machine.host().dom0Dispatcher();
        final UpcallDispatcher guestUpcall = machine.guest().dispatcher();
        final int n = queues.size();
        final long[] dom0Delivered = new long[n];
        final long[] guestDelivered = new long[n];
        final RingHeader[] rings = new RingHeader[n];
        final long[] requests = new long[n];
        final long[] batches = new long[n];
        final long[] notifications = new long[n];
        for (final Queue queue : queues)
        {
            final int q = queue.index();
            dom0Delivered[q] = dom0Upcall.eventsDelivered(queue.dom0Port());
            guestDelivered[q] = guestUpcall.eventsDelivered(queue.guestPort());
            rings[q] = header(queue.ringPage());
            requests[q] = queue.backRing().counters().requests();
            batches[q] = queue.backRing().counters().batches();
            notifications[q] = queue.backRing().counters().notifications();
        }
        return new Snapshot(
            guest.counters().count(HypercallOp.EVTCHN_SEND), dom0.counters().count(HypercallOp.EVTCHN_SEND),
            dom0Delivered, guestDelivered,
            dom0.counters().count(HypercallOp.GNTTAB_COPY), dom0.counters().count(HypercallOp.GNTTAB_MAP_GRANT_REF),
            dom0.counters().count(HypercallOp.GNTTAB_UNMAP_GRANT_REF), dom0.maptrack().inUse(),
            rings, requests, batches, notifications,
            disk.reads(), disk.writes(), disk.flushes(), disk.bytesRead(), disk.bytesWritten());
    }

    /**
     * A snapshot taken once the events caused since {@code before} have been delivered (each kick to dom0, each
     * answer to the guest) and blkback has gone idle again on every ring; or after 200 ms, whatever it shows then.
     */
    Snapshot settledSince(final Snapshot before)
    {
        final long deadlineNs = System.nanoTime() + SETTLE_LIMIT_NS;
        while (true)
        {
            final Snapshot now = snapshot();
            if (isSettled(before, now) || System.nanoTime() - deadlineNs > 0)
            {
                return now;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
    }

    private static boolean isSettled(final Snapshot before, final Snapshot now)
    {
        final boolean kicksDelivered = now.dom0DeliveredOnVbd() - before.dom0DeliveredOnVbd() >=
            Math.min(1, now.guestSends() - before.guestSends());
        final boolean answersDelivered = now.guestDeliveredOnVbd() - before.guestDeliveredOnVbd() >=
            Math.min(1, now.totalBackNotifications() - before.totalBackNotifications());
        boolean idle = true;
        for (final RingHeader ring : now.rings())
        {
            idle &= ring.backEndArmed() && ring.rspProd() == ring.reqProd();
        }
        return kicksDelivered && answersDelivered && idle;
    }

    private static RingHeader header(final AtomicBuffer page)
    {
        // a diagnostic read of the shared indices; nothing is decided from it
        return new RingHeader(
            page.getIntVolatile(SringDescriptor.REQ_PROD_OFFSET),
            page.getIntVolatile(SringDescriptor.REQ_EVENT_OFFSET),
            page.getIntVolatile(SringDescriptor.RSP_PROD_OFFSET),
            page.getIntVolatile(SringDescriptor.RSP_EVENT_OFFSET));
    }
}
