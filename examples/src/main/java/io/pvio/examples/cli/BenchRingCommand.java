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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
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
        "The defaults (5 forks x (2 warm-up + 3 measured) x 1 s, 49 configurations) take about 23 minutes."
    })
public final class BenchRingCommand implements Callable<Integer>
{
    @CommandLine.Mixin
    private JmhRunOptions run;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

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

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter console = spec.commandLine().getOut();
        Files.createDirectories(out);
        final Path jsonFile = out.resolve(RingBenchReport.JSON_FILE);
        if (!run.useExistingResult(jsonFile))
        {
            final RingBenchSettings settings = settings(jsonFile);
            run.printPlan(console, "pvio bench ring", settings.estimatedFullSuiteSeconds());
            // a failed run must not leave an older result to be reported as this one
            Files.deleteIfExists(jsonFile);
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
            run.forks(),
            run.warmupIterations(),
            run.iterations(),
            run.timeMs(),
            include,
            jmhParams,
            jsonFile,
            boundsChecks);
    }
}
