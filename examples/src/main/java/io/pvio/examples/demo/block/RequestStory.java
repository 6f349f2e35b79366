package io.pvio.examples.demo.block;

import io.pvio.backend.block.BlkbackRing;
import io.pvio.hypervisor.guest.EventIdleStrategy;
import io.pvio.ring.blkif.BlkifConstants;

/**
 * Tells what happened to one request, issued alone, from two {@link VbdView.Snapshot}s taken before it was
 * submitted and after it completed (and its events were delivered): which ring slot it took, whether blkfront
 * kicked dom0 (and why, from the ring's event index), the event's delivery through dom0's pending bitmask, what
 * blkback did with grants and the disk, and the answer's way back to the guest.
 */
final class RequestStory
{
    /** The operations the demo issues. */
    enum Operation
    {
        WRITE("BLKIF_OP_WRITE"),
        READ("BLKIF_OP_READ"),
        FLUSH("BLKIF_OP_FLUSH_DISKCACHE");

        final String wireName;

        Operation(final String wireName)
        {
            this.wireName = wireName;
        }
    }

    private final DemoConsole console;
    private final VbdView view;
    private final boolean persistent;
    private boolean persistenceExplained;

    /** @param persistent whether both ends agreed on {@code feature-persistent}. */
    RequestStory(final DemoConsole console, final VbdView view, final boolean persistent)
    {
        this.console = console;
        this.view = view;
        this.persistent = persistent;
    }

    /**
     * @param request the plan's request, or {@code null} for a flush.
     * @param outcome the last words, e.g. what the guest verified.
     */
    void tell(
        final String title, final Operation operation, final DemoRequestPlan.Request request,
        final VbdView.Snapshot before, final VbdView.Snapshot after, final long roundTripNs, final String outcome)
    {
        final int q = queueUsed(before, after);
        final VbdView.Queue queue = view.queues().get(q);
        final VbdView.RingHeader was = before.rings()[q];
        final VbdView.RingHeader now = after.rings()[q];
        console.say("  " + title + ": " + operation.wireName + describe(request) + ", on ring " + q);
        console.step("guest", segments(operation, request));
        final boolean kicked = after.guestSends() > before.guestSends();
        console.step("guest", "blkfront puts it in ring slot " +
            Integer.remainderUnsigned(was.reqProd(), queue.ringSize()) + " and pushes it: req_prod " +
            u32(was.reqProd()) + " -> " + u32(now.reqProd()) + ". " + (kicked ?
            "blkback had asked to hear of request " + u32(was.reqEvent()) + " (req_event), so blkfront kicks it: " +
                "EVTCHNOP_send on port " + queue.guestPort() :
            "req_event is " + u32(was.reqEvent()) + ": blkback is awake and did not ask, so no kick"));
        final long toDom0 = after.dom0Delivered()[q] - before.dom0Delivered()[q];
        console.step("dom0", toDom0 > 0 ?
            "the hypervisor sets bit " + queue.dom0Port() + " in dom0's pending bitmask and interrupts dom0's " +
                "vCPU; its upcall finds the bit and runs the port's handler, which wakes blkback's agent for this " +
                "ring" :
            "no event reached dom0: blkback found the request on its own");
        console.step("dom0", "blkback copies the request off the ring once, checks it, " +
            backEndWork(operation, request, before, after) + " and answers OKAY: rsp_prod " + u32(was.rspProd()) +
            " -> " + u32(now.rspProd()) + ". " + answerEvent(queue, before, after, now));
        final long toGuest = after.guestDelivered()[q] - before.guestDelivered()[q];
        console.step("guest", (toGuest > 0 ?
            "the hypervisor sets bit " + queue.guestPort() + " in the guest's pending bitmask and interrupts the " +
                "guest's vCPU; its upcall runs the port's handler, which wakes blkfront's agent. " :
            "no event reached the guest: blkfront found the answer while still awake. ") +
            "blkfront takes the response, checks its id and completes the request, " + micros(roundTripNs) +
            " after it was submitted" + (outcome.isEmpty() ? "" : ": " + outcome));
        if (now.backEndArmed())
        {
            console.step("dom0", "blkback finds the ring empty, sets req_event " + u32(now.reqEvent()) +
                " (\"kick me at the next request\") and sleeps");
        }
    }

    /** Sums up {@code requests} requests issued together (in waves), from snapshots around them. */
    void tellWaves(
        final String title, final int requests, final int window, final VbdView.Snapshot before,
        final VbdView.Snapshot after)
    {
        final long kicks = after.guestSends() - before.guestSends();
        final long batches = after.totalBackBatches() - before.totalBackBatches();
        final long answers = after.dom0Sends() - before.dom0Sends();
        console.say("  " + title + ": " + plural(requests, "request") + " in waves of up to " + window +
            ", all of a wave in flight together");
        console.step("guest", "blkfront kicked dom0 " + plural(kicks, "time") + " for " + requests + " requests: a " +
            "push needs no kick while blkback is still busy, because req_event stays behind req_prod until blkback " +
            "runs out of work");
        console.step("dom0", "blkback answered in " + plural(batches, "batch") + " (up to " +
            BlkbackRing.MAX_BATCH_REQUESTS + " requests each, responses to one-page requests published up to " +
            BlkbackRing.RESPONSE_GROUP_REQUESTS + " at a time, sooner if they wait " +
            BlkbackRing.RESPONSE_HOLD_NS / 1000 + " us, larger ones at once) and sent " +
            plural(answers, "event") + " back, only to a blkfront that had parked: with requests in flight it " +
            "polls for up to " + EventIdleStrategy.DEFAULT_AWAIT_POLL_NS / 1000 + " us first; the pending bitmasks " +
            "delivered " +
            (after.dom0DeliveredOnVbd() - before.dom0DeliveredOnVbd()) + " events to dom0 and " +
            (after.guestDeliveredOnVbd() - before.guestDeliveredOnVbd()) + " to the guest");
        final long written = after.bytesWritten() - before.bytesWritten();
        final long read = after.bytesRead() - before.bytesRead();
        final long copies = after.dom0GrantCopies() - before.dom0GrantCopies();
        final long maps = after.dom0GrantMaps() - before.dom0GrantMaps();
        console.step("dom0", "grants: " + plural(copies, "grant copy") + ", " + plural(maps, "new mapping") + "; " +
            "disk: " + (written > 0 ? bytes(written) + " written" : bytes(read) + " read"));
    }

    private static int queueUsed(final VbdView.Snapshot before, final VbdView.Snapshot after)
    {
        for (int q = 0; q < after.rings().length; q++)
        {
            if (after.rings()[q].reqProd() != before.rings()[q].reqProd())
            {
                return q;
            }
        }
        return 0;
    }

    private static String describe(final DemoRequestPlan.Request request)
    {
        if (request == null)
        {
            return " (no data)";
        }
        return " of sectors " + request.sector() + "-" + request.lastSector() + " (" + bytes(request.lengthBytes()) +
            ", " + plural(request.pageCount(), "page") + ")";
    }

    private String segments(final Operation operation, final DemoRequestPlan.Request request)
    {
        if (request == null)
        {
            return "a flush carries no segments: no page is granted";
        }
        final String reuse = persistent && !persistenceExplained ? "; with persistent grants both ends reuse " +
            "granted pages instead of granting and mapping new ones for every request" : "";
        persistenceExplained |= persistent;
        if (request.isIndirect())
        {
            return request.pageCount() + " segments are more than the " +
                BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST + " a request holds, so blkfront sends " +
                "BLKIF_OP_INDIRECT: the segments (grant ref, first and last sector of each page) go in an indirect " +
                "page, itself granted to dom0" + reuse;
        }
        if (request.pageCount() == 1 && request.sectorCount() < DemoRequestPlan.SECTORS_PER_PAGE)
        {
            final int first = request.offsetBytes() / BlkifConstants.SECTOR_SIZE_BYTES;
            return "1 segment, inline in the request: a grant ref and sectors " + first + "-" +
                (first + request.sectorCount() - 1) + " of the page (first_sect, last_sect)" + reuse;
        }
        return request.pageCount() + " segments, inline in the request: for each page a grant ref and its first " +
            "and last sector" + reuse;
    }

    private static String backEndWork(
        final Operation operation, final DemoRequestPlan.Request request, final VbdView.Snapshot before,
        final VbdView.Snapshot after)
    {
        if (operation == Operation.FLUSH)
        {
            return (after.diskFlushes() > before.diskFlushes() ? "forces the image file to disk (FileChannel.force)" :
                "finds no flush to do");
        }
        final long copies = after.dom0GrantCopies() - before.dom0GrantCopies();
        final long maps = after.dom0GrantMaps() - before.dom0GrantMaps();
        final StringBuilder work = new StringBuilder();
        if (copies > 0)
        {
            work.append("moves the data with ").append(plural(copies, "grant copy")).append(" (GNTTABOP_copy)");
        }
        if (maps > 0)
        {
            work.append(copies > 0 ? ", " : "").append("maps ").append(plural(maps, "granted page"))
                .append(" (GNTTABOP_map_grant_ref) and keeps ").append(maps == 1 ? "it" : "them")
                .append(" mapped for reuse");
        }
        if (copies == 0 && maps == 0)
        {
            work.append("uses pages it already has mapped (no grant hypercall)");
        }
        if (operation == Operation.WRITE)
        {
            work.append(", writes ").append(after.bytesWritten() - before.bytesWritten())
                .append(" bytes to the image at byte ").append(request.sector() * BlkifConstants.SECTOR_SIZE_BYTES);
        }
        else
        {
            work.append(", reads ").append(after.bytesRead() - before.bytesRead())
                .append(" bytes from the image at byte ").append(request.sector() * BlkifConstants.SECTOR_SIZE_BYTES);
        }
        return work.toString();
    }

    private static String answerEvent(
        final VbdView.Queue queue, final VbdView.Snapshot before, final VbdView.Snapshot after,
        final VbdView.RingHeader now)
    {
        if (after.dom0Sends() > before.dom0Sends())
        {
            return "blkfront had asked to hear of response " + u32(now.rspEvent()) + " (rsp_event), so blkback " +
                "sends an event: EVTCHNOP_send on port " + queue.dom0Port();
        }
        return "rsp_event is " + u32(now.rspEvent()) + ": blkfront did not ask, so no event";
    }

    static String bytes(final long count)
    {
        if (count >= 1 << 20)
        {
            return String.format("%.1f MiB", count / (double)(1 << 20));
        }
        if (count >= 1024 && count % 1024 == 0)
        {
            return (count / 1024) + " KiB";
        }
        return count + " bytes";
    }

    static String plural(final long count, final String noun)
    {
        if (count == 1)
        {
            return "1 " + noun;
        }
        if (noun.endsWith("y"))
        {
            return count + " " + noun.substring(0, noun.length() - 1) + "ies";
        }
        return count + " " + noun + (noun.endsWith("ch") || noun.endsWith("s") ? "es" : "s");
    }

    private static String micros(final long nanos)
    {
        return nanos < 1_000_000 ? String.format("%d us", nanos / 1_000) : String.format("%.1f ms", nanos / 1e6);
    }

    private static String u32(final int value)
    {
        return Integer.toUnsignedString(value);
    }
}
