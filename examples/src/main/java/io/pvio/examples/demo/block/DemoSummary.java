package io.pvio.examples.demo.block;

import io.pvio.hypervisor.hypercall.HypercallOp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The demo's closing numbers, printed even when quiet. */
final class DemoSummary
{
    /** Phase durations in nanoseconds. */
    record Timeline(long bootNs, long handshakeNs, long ioNs, long shutdownNs, long totalNs)
    {
    }

    /** Everything the summary reports. */
    record Numbers(
        DemoRequestPlan plan, VbdView view, VbdView.Snapshot start, VbdView.Snapshot end, int queueDepth,
        int inFlightHighWatermark, Map<HypercallOp, Long> guestHypercalls, Map<HypercallOp, Long> dom0Hypercalls,
        int dom0MappingsAfterDetach)
    {
    }

    private static final String ROW = "  %-11s %s";

    private DemoSummary()
    {
    }

    static BlockDemoResult print(
        final DemoConsole console, final Numbers n, final Timeline t, final String problem)
    {
        final VbdView.Snapshot s = n.start();
        final VbdView.Snapshot e = n.end();
        final long requests = e.totalBackRequests() - s.totalBackRequests();
        final long kicksToDom0 = e.guestSends() - s.guestSends();
        final long kicksToGuest = e.dom0Sends() - s.dom0Sends();
        final long eventsToDom0 = e.dom0DeliveredOnVbd() - s.dom0DeliveredOnVbd();
        final long eventsToGuest = e.guestDeliveredOnVbd() - s.guestDeliveredOnVbd();
        final long written = e.bytesWritten() - s.bytesWritten();
        final long read = e.bytesRead() - s.bytesRead();
        final int count = n.plan().count();
        console.always("");
        console.always("5. Summary");
        row(console, "requests", requests + " answered by blkback: " + count + " writes, 1 flush, " + count +
            " reads; " + 2 * n.plan().indirectCount() + " of them indirect");
        row(console, "data", RequestStory.bytes(written) + " written to the image and " + RequestStory.bytes(read) +
            " read from it, in " + (e.diskWrites() - s.diskWrites()) + " writes, " +
            (e.diskReads() - s.diskReads()) + " reads and " +
            RequestStory.plural(e.diskFlushes() - s.diskFlushes(), "flush"));
        row(console, "in flight", "at most " + n.inFlightHighWatermark() + " requests at once (" +
            n.view().queues().size() + " rings, " + n.queueDepth() + " request slots in all)");
        row(console, "kicks", "guest -> dom0: " + kicksToDom0 + " EVTCHNOP_send for " + requests + " requests (" +
            (requests - kicksToDom0) + " requests needed none)");
        row(console, "", "dom0 -> guest: " + kicksToGuest + " EVTCHNOP_send for " +
            (e.totalBackBatches() - s.totalBackBatches()) + " batches of responses");
        row(console, "events", "delivered through the pending bitmask: to dom0 " + eventsToDom0 + " (" +
            perPort(n.view(), s, e, true) + "), to the guest " + eventsToGuest + " (" + perPort(n.view(), s, e, false) +
            ")");
        if (eventsToDom0 > kicksToDom0 || eventsToGuest > kicksToGuest)
        {
            row(console, "", "(binding an event channel marks the new port pending once, as Xen does, so a port " +
                "may see one event more than was sent)");
        }
        row(console, "grants", "dom0 made " + (e.dom0GrantCopies() - s.dom0GrantCopies()) + " grant copies and " +
            (e.dom0GrantMaps() - s.dom0GrantMaps()) + " grant maps during the I/O; it holds " +
            n.dom0MappingsAfterDetach() + " mappings after the detach");
        row(console, "hypercalls", "guest: " + hypercalls(n.guestHypercalls()));
        row(console, "", "dom0:  " + hypercalls(n.dom0Hypercalls()));
        row(console, "time", String.format("%.2f s in all: boot %s, handshake %s, I/O %s (%.0f MiB/s), shutdown %s",
            t.totalNs() / 1e9, millis(t.bootNs()), millis(t.handshakeNs()), millis(t.ioNs()),
            (written + read) / (double)(1 << 20) / Math.max(t.ioNs() / 1e9, 1e-9), millis(t.shutdownNs())));
        return new BlockDemoResult(problem, requests, kicksToDom0, kicksToGuest, eventsToDom0, eventsToGuest,
            written, read);
    }

    private static String perPort(
        final VbdView view, final VbdView.Snapshot s, final VbdView.Snapshot e, final boolean dom0)
    {
        final List<String> parts = new ArrayList<>();
        for (final VbdView.Queue queue : view.queues())
        {
            final int q = queue.index();
            parts.add("port " + (dom0 ? queue.dom0Port() : queue.guestPort()) + ": " +
                (dom0 ? e.dom0Delivered()[q] - s.dom0Delivered()[q] : e.guestDelivered()[q] - s.guestDelivered()[q]));
        }
        return String.join(", ", parts);
    }

    /** Hypercalls by kind, most frequent first, with Xen's names. */
    static String hypercalls(final Map<HypercallOp, Long> counts)
    {
        final List<Map.Entry<HypercallOp, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        final List<String> parts = new ArrayList<>();
        for (final Map.Entry<HypercallOp, Long> entry : entries)
        {
            parts.add(xenName(entry.getKey()) + " " + entry.getValue());
        }
        return String.join(", ", parts);
    }

    /** {@code EVTCHN_SEND} as Xen spells it: {@code EVTCHNOP_send}. */
    static String xenName(final HypercallOp op)
    {
        final String name = op.name();
        final String[][] prefixes = {
            {"EVTCHN_", "EVTCHNOP_"}, {"GNTTAB_", "GNTTABOP_"}, {"MEMORY_", "XENMEM_"}, {"SCHED_", "SCHEDOP_"},
            {"DOMCTL_", "XEN_DOMCTL_"}, {"VCPU_", "VCPUOP_"}};
        for (final String[] prefix : prefixes)
        {
            if (name.startsWith(prefix[0]))
            {
                return prefix[1] + name.substring(prefix[0].length()).toLowerCase();
            }
        }
        return name.toLowerCase();
    }

    private static void row(final DemoConsole console, final String label, final String text)
    {
        final String prefix = String.format(ROW, label, "");
        console.always(DemoConsole.wrap(prefix, text, " ".repeat(prefix.length())));
    }

    private static String millis(final long nanos)
    {
        return String.format("%.0f ms", nanos / 1e6);
    }
}
