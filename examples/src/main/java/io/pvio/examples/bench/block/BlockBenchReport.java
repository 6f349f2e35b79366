package io.pvio.examples.bench.block;

import io.pvio.hypervisor.hypercall.HypercallOp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;

/**
 * Renders {@link BlockBenchResults}: the console table, the JSON array ({@code --json}, and {@code results.json}) and
 * the Markdown report ({@code report.md}).
 */
public final class BlockBenchReport
{
    public static final String REPORT_FILE = "report.md";
    public static final String JSON_FILE = "results.json";

    private static final String TABLE_FORMAT = "%-18s %3s %11s %11s %9s %11s %9s %9s %14s%n";
    private static final String DETAILS_FORMAT = "%-18s %11s %11s %11s %11s %11s %11s %11s %14s %11s%n";

    private final BlockBenchResults results;

    public BlockBenchReport(final BlockBenchResults results)
    {
        this.results = results;
    }

    /** The fixed-width table the command prints. */
    public String table()
    {
        final StringBuilder out = new StringBuilder(2048);
        out.append(String.format(Locale.ROOT, TABLE_FORMAT, "workload", "qd", "PV IOPS", "native IOPS", "PV MB/s",
            "native MB/s", "PV/native", "kicks/req", "hypercalls/req"));
        for (final BlockBenchResult row : results.results())
        {
            out.append(String.format(Locale.ROOT, TABLE_FORMAT, row.workload().workloadName(), row.queueDepth(),
                String.format(Locale.ROOT, "%,.0f", row.pvIops()),
                String.format(Locale.ROOT, "%,.0f", row.nativeIops()),
                String.format(Locale.ROOT, "%,.1f", row.pvMbps()),
                String.format(Locale.ROOT, "%,.1f", row.nativeMbps()),
                String.format(Locale.ROOT, "%.2f", row.ratio()),
                String.format(Locale.ROOT, "%.2f", row.kicksPerRequest()),
                String.format(Locale.ROOT, "%.2f", row.hypercallsPerRequest())));
        }
        return out.toString();
    }

    /** Where the PV side's kicks and hypercalls go, per request (fixed width, printed under the table). */
    public String details()
    {
        final StringBuilder out = new StringBuilder(2048);
        out.append(String.format(Locale.ROOT, DETAILS_FORMAT, "PV, per request", "front kicks", "back kicks",
            "grant copy", "sched_block", "req/batch", "parks", "direct", "cross-core ns", "ring empty"));
        for (final BlockBenchResult row : results.results())
        {
            out.append(String.format(Locale.ROOT, DETAILS_FORMAT, row.workload().workloadName(),
                two(row.frontendKicksPerRequest()), two(row.backendKicksPerRequest()),
                two(row.callsPerRequest(HypercallOp.GNTTAB_COPY)), two(row.callsPerRequest(HypercallOp.SCHED_BLOCK)),
                String.format(Locale.ROOT, "%.1f", row.requestsPerBatch()), two(row.parksPerRequest()),
                two(row.directShare()), String.format(Locale.ROOT, "%.0f", row.medianCrossCoreNs()),
                String.format(Locale.ROOT, "%.1f%%", 100 * row.ringEmptyShare(results.queues()))));
        }
        return out.toString();
    }

    /** One JSON object per workload, in run order, with exactly the documented fields (all numbers). */
    public String json()
    {
        final StringBuilder out = new StringBuilder(2048).append("[\n");
        for (int i = 0; i < results.results().size(); i++)
        {
            final BlockBenchResult row = results.results().get(i);
            out.append(String.format(Locale.ROOT, "  {\"name\": \"%s\", \"queue_depth\": %d, " +
                    "\"pv_iops\": %.1f, \"native_iops\": %.1f, \"pv_mbps\": %.2f, \"native_mbps\": %.2f, " +
                    "\"ratio\": %.4f, \"kicks_per_request\": %.4f, \"hypercalls_per_request\": %.4f}",
                row.workload().workloadName(), row.queueDepth(), row.pvIops(), row.nativeIops(),
                row.pvMbps(), row.nativeMbps(), row.ratio(), row.kicksPerRequest(),
                row.hypercallsPerRequest()));
            out.append(i + 1 < results.results().size() ? ",\n" : "\n");
        }
        return out.append("]\n").toString();
    }

    /** The Markdown report: how the run was made, the table, where kicks and hypercalls go, and how to read it. */
    public String markdown()
    {
        final BlockBenchSettings settings = results.settings();
        final StringBuilder out = new StringBuilder(8 * 1024);
        out.append("# pvio block benchmark\n\n");
        out.append(String.format(Locale.ROOT, "Run on %s; %s. Image: %s of %d MiB, pre-filled; %d queue%s " +
                "(blkback I/O threads) and as many native I/O threads; %d round%s per workload after %d warm-up " +
                "round%s not counted, each %.1f s " +
                "warm-up and %.1f s measured per path; sequential queue depth %d; seed %d; the PV drivers' agents " +
                "spin %d us before parking (blkfront with requests in flight, and blkback after serving, poll up to %d " +
                "us); PV buffers: %s.%n%n",
            LocalDate.now(), results.environment(),
            results.imageFile() == null ? "a temporary file" : "`" + results.imageFile() + "`",
            settings.imageBytes() / BlockBenchSettings.MIB, results.queues(), results.queues() == 1 ? "" : "s",
            settings.rounds(), settings.rounds() == 1 ? "" : "s", settings.warmupRounds(),
            settings.warmupRounds() == 1 ? "" : "s", settings.warmupNs() / 1e9, settings.measureNs() / 1e9,
            settings.sequentialQueueDepth(),
            settings.seed(), settings.idleSpinNs() / 1000, settings.awaitPollNs() / 1000,
            settings.registeredBuffers() ? "registered (blkfront's allocateBuffer, no copy in blkfront)" :
                "plain guest pages (copied through blkfront's persistent pages)"));
        out.append("| Workload | QD | PV IOPS | native IOPS | PV MB/s | native MB/s | PV/native | kicks/req | " +
            "hypercalls/req |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (final BlockBenchResult row : results.results())
        {
            out.append(String.format(Locale.ROOT, "| `%s` | %d | %,.0f | %,.0f | %,.1f | %,.1f | %.2f | %.2f | " +
                    "%.2f |%n", row.workload().workloadName(), row.queueDepth(), row.pvIops(),
                row.nativeIops(), row.pvMbps(), row.nativeMbps(), row.ratio(), row.kicksPerRequest(),
                row.hypercallsPerRequest()));
        }
        out.append("\nGoal: PV/native at least 0.90 at queue depth 32 and for sequential I/O.\n\n");
        for (final BlockBenchResult row : results.results())
        {
            if (row.queueDepth() == 32 || row.workload().isSequential())
            {
                out.append(String.format(Locale.ROOT, "- `%s`: %.2f, %s%n", row.workload().workloadName(),
                    row.ratio(), row.ratio() >= 0.9 ? "met" : "**short**"));
            }
        }
        if (settings.rounds() > 1)
        {
            out.append("\n## Round by round\n\nThe table gives each path's median over the rounds. Each round ran " +
                "one window on each path, back to back; its PV/native ratio, and in brackets the cross-core round " +
                "trip measured just before it (ns) and the share of the PV window blkback's ring sat empty:\n\n" +
                "| Workload |");
            for (int round = 1; round <= settings.rounds(); round++)
            {
                out.append(' ').append(round).append(round % 2 == 1 ? " (PV first) |" : " (native first) |");
            }
            out.append("\n|---|").append("--:|".repeat(settings.rounds())).append('\n');
            for (final BlockBenchResult row : results.results())
            {
                out.append("| `").append(row.workload().workloadName()).append("` |");
                for (int round = 0; round < row.rounds(); round++)
                {
                    out.append(String.format(Locale.ROOT, " %.2f (%.0f, %.1f%%) |", row.roundRatio(round),
                        row.crossCoreNs().get(round), 100 * row.roundRingEmptyShare(round, results.queues())));
                }
                out.append('\n');
            }
        }
        out.append("\n## Where the PV side's events and hypercalls go (per request, measured window)\n\n");
        out.append("| Workload | front kicks | back kicks | grant copy | grant map | sched_block | all hypercalls | " +
            "requests per blkback batch | agent parks | direct | cross-core round trip (ns) | " +
            "blkback's ring empty |\n" +
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (final BlockBenchResult row : results.results())
        {
            out.append(String.format(Locale.ROOT,
                "| `%s` | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f | %.3f | %.2f | %.0f | %.1f%% |%n",
                row.workload().workloadName(), row.frontendKicksPerRequest(), row.backendKicksPerRequest(),
                row.callsPerRequest(HypercallOp.GNTTAB_COPY), row.callsPerRequest(HypercallOp.GNTTAB_MAP_GRANT_REF),
                row.callsPerRequest(HypercallOp.SCHED_BLOCK), row.hypercallsPerRequest(), row.requestsPerBatch(),
                row.parksPerRequest(), row.directShare(), row.medianCrossCoreNs(),
                100 * row.ringEmptyShare(results.queues())));
        }
        out.append("\n## Where an I/O thread's time per request goes (ns, median of the rounds)\n\n" +
            "Each path's I/O threads' time per request (the window times the threads, over the requests), split " +
            "into the storage call itself (a random one in " + StorageCallSampler.ONE_IN + " timed, every one of " +
            StorageCallSampler.ALWAYS_BYTES / 1024 + " KiB or more) and the rest " +
            "(on the PV path: blkback's ring, checks, grants and responses, and its waits for requests; on the " +
            "native path: its own queue and counting):\n\n" +
            "| Workload | PV storage call | native storage call | PV rest | native rest | PV rest - native rest |\n" +
            "|---|--:|--:|--:|--:|--:|\n");
        for (final BlockBenchResult row : results.results())
        {
            final double pvRest = row.pvRestNs(results.queues());
            final double nativeRest = row.nativeRestNs(results.queues());
            out.append(String.format(Locale.ROOT, "| `%s` | %s | %s | %s | %s | %s |%n",
                row.workload().workloadName(), nanosCell(row.pvStorageCallNs()),
                nanosCell(row.nativeStorageCallNs()), nanosCell(pvRest), nanosCell(nativeRest),
                nanosCell(pvRest - nativeRest)));
        }
        out.append("""

            ## How it is measured

            - **Same run, same file, same JVM.** Each workload runs in rounds; in each round the PV path and the
              native path each run one window, on the same image, with the same queue depth, the same offsets
              (request *i* of a workload goes to the same place on both paths: a 4 KiB-aligned block drawn by
              SplitMix64 from the seed, or the *i*-th MiB in order, wrapping) and the same warm-up and window. The
              paths take turns going first (PV in rounds 1, 3, 5, ...), so a drift of the machine over the run
              favours neither. Each path's figure is the median of its rounds, and the ratio is the ratio of the
              medians. Writes are never flushed, on either path.
            - **Warm-up rounds** (`--warmup-rounds`, 1 by default) run first for each workload, on both paths, PV
              first, and are not counted: meanwhile the JIT compiles the code the workload takes (the indirect and
              run-cache paths of the 1 MiB workloads, the write paths, ...). On a 2-CPU machine the compiler thread
              takes a CPU that the PV path's two agents need and the native path's one thread does not, so an
              un-warmed first round measured the compiler more than the drivers.
            - **PV:** a guest runs blkfront, dom0 runs blkback over the image (positional `FileChannel` I/O). The
              benchmark thread issues N requests; each completion callback (on blkfront's agent thread) issues that
              slot's next request, so N are in flight. blkback runs one I/O thread per ring and performs each ring's
              requests one after another.
            - **Native:** N request slots, each with its own direct buffer, in one shared queue; as many I/O threads
              as blkback has rings each take a slot, do the positional `FileChannel` read or write synchronously,
              and put the slot back with the next offset. So N requests are in flight, at most T performed at once,
              as on the PV side.
            - The page cache holds the whole image for both paths (it was just written, then forced). Before each
              window of a write workload the image is forced again, so neither path runs while the other's dirty
              pages are written back.
            - **direct**: the share of PV requests blkback served straight on the guest's pages (one storage call on
              its kept mappings of them, one copy per byte as natively) rather than through its staging buffer.
            - **kicks/req**: event-channel sends in both directions (the guest's `EVTCHNOP_send`, i.e. blkfront's
              kicks, plus dom0's, i.e. blkback's notifications) over the window, divided by the PV requests completed
              in it. **hypercalls/req**: every hypercall by the guest and dom0 over the window (grant copies and
              maps, sends, `SCHEDOP_block` of idle vCPUs, ...), divided likewise.
            - **cross-core round trip**: before each round, two threads pass a cache line back and forth for 50 ms
              (`CrossCoreProbe`); the median over the rounds. The PV path hands each request and response between
              two CPUs through the ring's cache lines; the native path runs on one. On a VM this varies as the host
              places the vCPUs, and the PV/native ratio falls as it rises.
            - **blkback's ring empty**: the share of the PV windows (over every round; per round in the round table)
              during which blkback's rings held no request, from the first poll that found one empty to the next
              batch (`BlkbackCounters.emptyRingNs`), divided by the window times the rings. The ring runs dry
              whenever blkback has answered all it was given and blkfront has not refilled it yet: at queue depth
              32 only while blkfront's thread is off its CPU (another thread or the host took it) or asleep, at
              queue depth 1 for blkfront's part of every round trip. That is time blkback could not spend on I/O,
              which native never loses, since its I/O thread gives itself the next request.
            - MB/s is 10^6 bytes per second.
            """);
        return out.toString();
    }

    /** Writes {@link #REPORT_FILE} and {@link #JSON_FILE} into {@code directory}; returns the report's path. */
    public Path writeTo(final Path directory) throws IOException
    {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve(JSON_FILE), json());
        return Files.writeString(directory.resolve(REPORT_FILE), markdown());
    }

    private static String nanosCell(final double ns)
    {
        return Double.isNaN(ns) ? "n/a" : String.format(Locale.ROOT, "%,.0f", ns);
    }

    private static String two(final double value)
    {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
