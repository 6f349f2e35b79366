package io.pvio.examples.bench.hypervisor.report;

import io.pvio.examples.bench.report.Format;

/** The hypervisor benchmarks, recognised by their JMH method names, with how the report explains each. */
public enum HypervisorBenchmark
{
    /** {@code EventLatencyBenchmark.roundTrip}: ns per event round trip. */
    EVENT_ROUND_TRIP(
        "io.pvio.examples.bench.hypervisor.EventLatencyBenchmark.roundTrip",
        "Event round trip",
        "dom0 sends on an interdomain port; the domU's upcall handler (vCPU blocked in SCHEDOP_block and woken, or "
            + "busy polling) sends back on a second port; dom0 runs its upcall until it sees the reply. With a "
            + "blocking domU each send first waits until its vCPU is blocked again, and the score includes that wait; "
            + "\"send to reply\" is the round trip alone, timed inside each operation. One way = send to reply / 2."),
    /** {@code EventSendBenchmark.send}: sends per second. */
    EVENT_SENDS(
        "io.pvio.examples.bench.hypervisor.EventSendBenchmark.send",
        "Event sends",
        "one dom0 thread calls EVTCHNOP_send on an interdomain port as fast as it can; sends coalesce while the "
            + "port is pending, so the domU handles fewer events (deliveries) than were sent."),
    /** {@code GrantMapBenchmark.mapUnmap}: ns per map and unmap. */
    GRANT_MAP_UNMAP(
        "io.pvio.examples.bench.hypervisor.GrantMapBenchmark.mapUnmap",
        "Grant map + unmap",
        "dom0 maps one domU grant (GNTTABOP_map_grant_ref), loads one word through the mapping, and unmaps it."),
    /** {@code GrantCopyBenchmark.copy}: ns per copy hypercall. */
    GRANT_COPY(
        "io.pvio.examples.bench.hypervisor.GrantCopyBenchmark.copy",
        "Grant copy",
        "one GNTTABOP_copy hypercall of a batch of elements, each from a granted domU page into dom0's own page; "
            + "the batch is refilled every time. Per element = per hypercall / batch."),
    /** {@code BlkbackRequestBenchmark.read4k}: ns per 4 KiB read through blkback's ring, or by the copy alone. */
    BLKBACK_READ(
        "io.pvio.examples.bench.hypervisor.BlkbackRequestBenchmark.read4k",
        "blkback 4 KiB read",
        "one thread writes 32 read requests (one inline segment each, on 32 domU pages granted once) into a "
            + "one-page ring, runs blkback's duty cycle (copy, validate, kept grant, copy from a memory disk into the "
            + "page, response) until all are answered and takes the responses; per request. path=DIRECT: the same "
            + "copies from the same disk into the same pages, no ring.");

    private final String jmhName;
    private final String label;
    private final String explanation;

    HypervisorBenchmark(final String jmhName, final String label, final String explanation)
    {
        this.jmhName = jmhName;
        this.label = label;
        this.explanation = explanation;
    }

    /** The benchmark's full JMH name, as in the JSON result. */
    public String jmhName()
    {
        return jmhName;
    }

    /** Its name in the report. */
    public String label()
    {
        return label;
    }

    /** One line on what one operation is. */
    public String explanation()
    {
        return explanation;
    }

    /** A figure derived from the score (one way, per element, deliveries per send), or "-". */
    public String derived(final HypervisorMeasurement measurement)
    {
        switch (this)
        {
            case EVENT_ROUND_TRIP:
                final long roundTrips = measurement.counter("roundTrips");
                final long sendToReplyNs = measurement.counter("sendToReplyNs");
                final double roundTripNs = roundTrips > 0 && sendToReplyNs >= 0 ?
                    (double)sendToReplyNs / roundTrips : measurement.median();
                return (roundTrips > 0 ? "send to reply: " + Format.nanos(roundTripNs) + ", " : "") +
                    "one way (round trip / 2): " + Format.nanos(roundTripNs / 2);
            case EVENT_SENDS:
                final long sends = measurement.counter("sends");
                final long deliveries = measurement.counter("deliveries");
                return sends <= 0 || deliveries < 0 ? "-" :
                    "deliveries / 1,000 sends: " + Format.decimal(deliveries * 1000.0 / sends);
            case GRANT_COPY:
                final int batch = measurement.intParam("batchSize", 1);
                return batch <= 1 ? "-" : "per element: " + Format.nanos(measurement.median() / batch);
            default:
                return "-";
        }
    }

    /** The kind whose JMH name is {@code benchmark}, or null for a benchmark this report does not cover. */
    static HypervisorBenchmark ofJmhName(final String benchmark)
    {
        for (final HypervisorBenchmark kind : values())
        {
            if (kind.jmhName.equals(benchmark))
            {
                return kind;
            }
        }
        return null;
    }
}
