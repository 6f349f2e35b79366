package io.pvio.examples.bench.block;

import io.pvio.hypervisor.guest.EventIdleStrategy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code pvio bench block}: 4 KiB random reads and writes at queue depth 1 and 32 and 1 MiB sequential reads and
 * writes, through the PV path (blkfront, ring, blkback, image file) and directly with {@code FileChannel} on the same
 * file in the same run. Prints a table, or with {@code --json} only a JSON array; {@code --out} also writes
 * {@code report.md} and {@code results.json}. Exit status 0 when the run completed and passed its integrity check,
 * 1 when it did not, 2 for bad arguments.
 */
@Command(
    name = "block",
    mixinStandardHelpOptions = true,
    description = {
        "Benchmark the PV block path against native FileChannel I/O on the same file, in the same run: 4 KiB random "
            + "read and write at queue depth 1 and 32, 1 MiB sequential read and write.",
        "Reports IOPS, MB/s, the PV/native ratio, and event-channel kicks and hypercalls per PV request.",
        "Each workload runs in rounds, the two paths taking turns; each path's figure is the median of its rounds.",
        "Before its rounds, each workload runs warm-up rounds on both paths that are not counted.",
        "The defaults (6 workloads x (1 warm-up + 5 measured rounds) x 2 paths x (0.5 s warm-up + 1 s measured)) " +
            "take about 2 minutes."
    })
public final class BlockBenchCommand implements Callable<Integer>
{
    private static final double DEFAULT_SECONDS = 1;
    private static final double DEFAULT_WARMUP_SECONDS = 0.5;
    private static final int DEFAULT_ROUNDS = 5;
    private static final int DEFAULT_WARMUP_ROUNDS = 1;
    private static final int DEFAULT_SIZE_MIB = 256;
    private static final double QUICK_SECONDS = 1;
    private static final double QUICK_WARMUP_SECONDS = 0.5;
    private static final int QUICK_ROUNDS = 1;
    private static final int QUICK_WARMUP_ROUNDS = 0;
    private static final int QUICK_SIZE_MIB = 64;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print only a JSON array, one object per workload, on stdout.")
    private boolean json;

    @Option(names = "--seconds", paramLabel = "S",
        description = "Measured window per round, workload and path (default " + DEFAULT_SECONDS + "; " +
            QUICK_SECONDS + " with --quick).")
    private Double seconds;

    @Option(names = "--rounds", paramLabel = "N",
        description = "Rounds per workload: each runs one window on each path, the paths taking turns going first; " +
            "the figures are the medians (default " + DEFAULT_ROUNDS + "; " + QUICK_ROUNDS + " with --quick).")
    private Integer rounds;

    @Option(names = "--warmup-rounds", paramLabel = "N",
        description = "Rounds each workload runs first on both paths, not counted, so that the JIT has compiled " +
            "its code before the measured rounds (default " + DEFAULT_WARMUP_ROUNDS + "; " + QUICK_WARMUP_ROUNDS +
            " with --quick).")
    private Integer warmupRounds;

    @Option(names = "--warmup-seconds", paramLabel = "S",
        description = "Warm-up before each window (default " + DEFAULT_WARMUP_SECONDS + "; " + QUICK_WARMUP_SECONDS +
            " with --quick).")
    private Double warmupSeconds;

    @Option(names = "--size-mib", paramLabel = "N",
        description = "Image size in MiB, pre-filled before the run (default " + DEFAULT_SIZE_MIB + "; " +
            QUICK_SIZE_MIB + " with --quick).")
    private Integer sizeMib;

    @Option(names = "--file", paramLabel = "PATH",
        description = "Image file to use and keep (default: a temporary file, deleted afterwards).")
    private Path file;

    @Option(names = "--overwrite", description = "Allow --file to name an existing file: all of it is overwritten.")
    private boolean overwrite;

    @Option(names = "--queues", paramLabel = "N",
        description = "blkif rings, i.e. blkback I/O threads, and as many native I/O threads (default: half the " +
            "cores, at least 1, so dom0's I/O threads and the guest each get half the CPUs).")
    private Integer queues;

    @Option(names = "--buffers", paramLabel = "KIND", defaultValue = "registered",
        description = "The PV requests' buffers: 'registered' (blkfront's allocateBuffer: granted once, no copy in " +
            "blkfront, kept mapped by blkback, which reads and writes them directly) or 'plain' (ordinary guest " +
            "pages, copied through blkfront's persistent pages). Default ${DEFAULT-VALUE}.")
    private String buffers;

    @Option(names = "--seq-queue-depth", paramLabel = "N", defaultValue = "8",
        description = "Requests in flight for the 1 MiB sequential workloads (default ${DEFAULT-VALUE}).")
    private int sequentialQueueDepth;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
        description = "Seed of the random offsets, the same for both paths (default ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--idle-spin-us", paramLabel = "N",
        description = "How long the PV drivers' agents spin before parking until an event (default: the " +
            "drivers' own, 20).")
    private Long idleSpinUs;

    @Option(names = "--await-poll-us", paramLabel = "N",
        description = "How long, spin included, blkfront's agent polls before parking while it has requests in " +
            "flight, and blkback's after serving a batch (default: the drivers' own, 250; 0 with --idle-spin-us 0).")
    private Long awaitPollUs;

    @Option(names = "--workloads", paramLabel = "NAME", split = ",",
        description = "Run only these, comma separated (default: all of rand-read-4k-qd1, rand-read-4k-qd32, " +
            "rand-write-4k-qd1, rand-write-4k-qd32, seq-read-1m, seq-write-1m).")
    private List<String> workloads;

    @Option(names = "--quick",
        description = "Smoke run: 1 round (no warm-up round) of 0.5 s warm-up and 1 s measured, 64 MiB image.")
    private boolean quick;

    @Option(names = "--out", paramLabel = "DIR",
        description = "Also write report.md and results.json into this directory.")
    private Path out;

    @Override
    public Integer call() throws Exception
    {
        final BlockBenchSettings settings = settings();
        final PrintWriter console = spec.commandLine().getOut();
        final PrintWriter progress = spec.commandLine().getErr();
        final BlockBenchResults results;
        try
        {
            results = new BlockBenchRunner(settings, progress).run();
        }
        catch (final BlockBenchException ex)
        {
            progress.println("pvio bench block failed: " + ex.getMessage());
            progress.flush();
            return 1;
        }
        final BlockBenchReport report = new BlockBenchReport(results);
        if (out != null)
        {
            progress.println("Report: " + report.writeTo(out).toAbsolutePath());
            progress.flush();
        }
        if (json)
        {
            console.print(report.json());
        }
        else
        {
            console.println();
            console.print(report.table());
            console.println();
            console.print(report.details());
        }
        console.flush();
        return 0;
    }

    private BlockBenchSettings settings()
    {
        final List<BlockWorkload> selected = new ArrayList<>();
        try
        {
            if (workloads == null || workloads.isEmpty())
            {
                selected.addAll(List.of(BlockWorkload.values()));
            }
            else
            {
                for (final String name : workloads)
                {
                    final BlockWorkload workload = BlockWorkload.byName(name.trim());
                    if (selected.contains(workload))
                    {
                        throw new IllegalArgumentException("workload '" + name + "' given twice");
                    }
                    selected.add(workload);
                }
            }
            final double windowSeconds = choose(seconds, QUICK_SECONDS, DEFAULT_SECONDS);
            final double warmup = choose(warmupSeconds, QUICK_WARMUP_SECONDS, DEFAULT_WARMUP_SECONDS);
            final int size = sizeMib != null ? sizeMib : quick ? QUICK_SIZE_MIB : DEFAULT_SIZE_MIB;
            if (!Double.isFinite(windowSeconds) || !Double.isFinite(warmup) || windowSeconds > 3600 || warmup > 3600)
            {
                throw new IllegalArgumentException("--seconds and --warmup-seconds must be finite, at most 3600");
            }
            if (overwrite && file == null)
            {
                throw new IllegalArgumentException("--overwrite needs --file");
            }
            if (file != null && java.nio.file.Files.exists(file) && !overwrite)
            {
                throw new IllegalArgumentException("--file " + file + " exists: every byte of it would be " +
                    "overwritten; pass --overwrite to allow that, or name a new file");
            }
            if (!"registered".equals(buffers) && !"plain".equals(buffers))
            {
                throw new IllegalArgumentException("--buffers must be 'registered' or 'plain': '" + buffers + "'");
            }
            final long idleSpinNs = idleSpinUs == null ? EventIdleStrategy.DEFAULT_SPIN_NS : microsToNanos(idleSpinUs,
                "--idle-spin-us");
            // as the drivers' own EventIdleStrategy(spinNs) chooses
            final long awaitPollNs = awaitPollUs != null ? microsToNanos(awaitPollUs, "--await-poll-us") :
                EventIdleStrategy.defaultAwaitPollNs(idleSpinNs);
            final int rings = queues != null ? queues :
                BlockBenchSettings.defaultQueues(Runtime.getRuntime().availableProcessors());
            return new BlockBenchSettings(file, overwrite, size * BlockBenchSettings.MIB,
                Math.round(warmup * 1e9), Math.round(windowSeconds * 1e9),
                rounds != null ? rounds : quick ? QUICK_ROUNDS : DEFAULT_ROUNDS,
                warmupRounds != null ? warmupRounds : quick ? QUICK_WARMUP_ROUNDS : DEFAULT_WARMUP_ROUNDS, rings,
                sequentialQueueDepth, seed,
                idleSpinNs, awaitPollNs,
                "registered".equals(buffers), selected);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
    }

    /** {@code micros} in ns, refused if it overflows (the settings then check the range). */
    private static long microsToNanos(final long micros, final String option)
    {
        try
        {
            return Math.multiplyExact(micros, 1000L);
        }
        catch (final ArithmeticException ex)
        {
            throw new IllegalArgumentException(option + " is out of range: " + micros + " us");
        }
    }

    private double choose(final Double explicit, final double quickValue, final double defaultValue)
    {
        return explicit != null ? explicit : quick ? quickValue : defaultValue;
    }
}
