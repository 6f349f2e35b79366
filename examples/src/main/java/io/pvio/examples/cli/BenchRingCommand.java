package io.pvio.examples.cli;

import io.pvio.examples.bench.ring.RingBenchRunner;
import io.pvio.examples.bench.ring.RingBenchSettings;
import io.pvio.examples.bench.ring.report.RingBenchReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code pvio bench ring}: runs the JMH ring suite (throughput and round trip of the pvio ring against Agrona,
 * JCTools, the Disruptor and ArrayBlockingQueue) and writes {@code report.md}, {@code throughput.svg} and the raw
 * {@code jmh.json} into the output directory. The defaults are the real run; {@code --quick} is a smoke run.
 */
@Command(
    name = "ring",
    mixinStandardHelpOptions = true,
    description = {
        "Benchmark the pvio ring against Agrona OneToOneRingBuffer, JCTools SpscArrayQueue, the LMAX Disruptor and "
            + "ArrayBlockingQueue, and write a Markdown report with an SVG chart.",
        "The defaults (5 forks x (2 warm-up + 3 measured) x 1 s, 42 configurations) take about 20 minutes."
    })
public final class BenchRingCommand implements Callable<Integer>
{
    private static final int DEFAULT_FORKS = 5;
    private static final int DEFAULT_WARMUP_ITERATIONS = 2;
    private static final int DEFAULT_ITERATIONS = 3;
    private static final int DEFAULT_TIME_MS = 1000;
    private static final int QUICK_FORKS = 1;
    private static final int QUICK_WARMUP_ITERATIONS = 1;
    private static final int QUICK_ITERATIONS = 1;
    private static final int QUICK_TIME_MS = 300;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--forks", paramLabel = "N",
        description = "JVM forks per configuration (default 5; 1 with --quick).")
    private Integer forks;

    @Option(names = "--warmup-iterations", paramLabel = "N",
        description = "Warm-up iterations per fork (default 2; 1 with --quick).")
    private Integer warmupIterations;

    @Option(names = "--iterations", paramLabel = "N",
        description = "Measured iterations per fork (default 3; 1 with --quick).")
    private Integer iterations;

    @Option(names = "--time-ms", paramLabel = "N",
        description = "Length of each iteration in milliseconds (default 1000; 300 with --quick).")
    private Integer timeMs;

    @Option(names = "--quick", description = "Smoke run: 1 fork, 1 warm-up and 1 measured iteration of 300 ms.")
    private boolean quick;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-results/ring",
        description = "Output directory (default: ${DEFAULT-VALUE}).")
    private Path out;

    @Option(names = "--include", paramLabel = "REGEX",
        description = "JMH include regex over benchmark names (default: both ring benchmarks).")
    private String include = RingBenchRunner.DEFAULT_INCLUDE;

    @Option(names = {"-p", "--param"}, paramLabel = "NAME=V1,V2",
        description = "Restrict a JMH parameter, e.g. -p ring=PVIO,JCTOOLS -p batchSize=1,32 -p pages=1.")
    private Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--bounds-checks",
        description = "Keep Agrona's buffer bounds checks in the forks (they slow pvio and Agrona alike).")
    private boolean boundsChecks;

    @Option(names = "--from-json", paramLabel = "FILE",
        description = "Do not run JMH: write the report from an existing JMH JSON result.")
    private Path fromJson;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter console = spec.commandLine().getOut();
        Files.createDirectories(out);
        final Path jsonFile = out.resolve(RingBenchReport.JSON_FILE);
        if (fromJson != null)
        {
            if (!fromJson.toAbsolutePath().normalize().equals(jsonFile.toAbsolutePath().normalize()))
            {
                Files.copy(fromJson, jsonFile, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        else
        {
            final RingBenchSettings settings = settings(jsonFile);
            console.printf(Locale.ROOT, "pvio bench ring: %d fork(s) x (%d warm-up + %d measured) x %d ms; " +
                "the full suite takes about %.1f min%n", settings.forks(), settings.warmupIterations(),
                settings.measurementIterations(), settings.iterationTimeMs(),
                settings.estimatedFullSuiteSeconds() / 60);
            console.flush();
            RingBenchRunner.run(settings);
        }
        if (!Files.exists(jsonFile))
        {
            spec.commandLine().getErr().println("no JMH result at " + jsonFile + ": did every benchmark fail?");
            return 1;
        }
        final RingBenchReport report = RingBenchReport.fromJson(jsonFile);
        final Path reportFile = report.writeTo(out);
        console.println();
        console.println("Report: " + reportFile.toAbsolutePath());
        console.print(report.summary());
        console.flush();
        return 0;
    }

    private RingBenchSettings settings(final Path jsonFile)
    {
        final Map<String, List<String>> jmhParams = new LinkedHashMap<>();
        for (final Map.Entry<String, String> param : params.entrySet())
        {
            jmhParams.put(param.getKey(), Arrays.asList(param.getValue().split(",")));
        }
        return new RingBenchSettings(
            choose(forks, QUICK_FORKS, DEFAULT_FORKS),
            choose(warmupIterations, QUICK_WARMUP_ITERATIONS, DEFAULT_WARMUP_ITERATIONS),
            choose(iterations, QUICK_ITERATIONS, DEFAULT_ITERATIONS),
            choose(timeMs, QUICK_TIME_MS, DEFAULT_TIME_MS),
            include,
            jmhParams,
            jsonFile,
            boundsChecks);
    }

    private int choose(final Integer explicit, final int quickValue, final int defaultValue)
    {
        return explicit != null ? explicit : quick ? quickValue : defaultValue;
    }
}
