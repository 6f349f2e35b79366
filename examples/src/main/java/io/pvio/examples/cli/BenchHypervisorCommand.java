package io.pvio.examples.cli;

import io.pvio.examples.bench.hypervisor.HypervisorBenchRunner;
import io.pvio.examples.bench.hypervisor.HypervisorBenchSettings;
import io.pvio.examples.bench.hypervisor.report.HypervisorBenchReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code pvio bench hypervisor}: runs the JMH hypervisor suite (event round trip with a blocked and a polling vCPU,
 * event sends per second, grant map+unmap, grant copy, a 4 KiB read through blkback's ring) and writes
 * {@code report.md} and the raw {@code jmh.json} into the output directory, printing the table. The defaults are the
 * real run; {@code --quick} is a smoke run.
 */
@Command(
    name = "hypervisor",
    mixinStandardHelpOptions = true,
    description = {
        "Benchmark the hypervisor's data paths: event-channel send-to-upcall latency (blocked and polling vCPU), "
            + "sends per second, grant map+unmap, grant copy and a 4 KiB read through blkback's ring (against the "
            + "copy alone), and write a Markdown report.",
        "The defaults (5 forks x (2 warm-up + 3 measured) x 1 s, 14 configurations) take about 6.4 minutes."
    })
public final class BenchHypervisorCommand implements Callable<Integer>
{
    @CommandLine.Mixin
    private JmhRunOptions run;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-results/hypervisor",
        description = "Output directory (default: ${DEFAULT-VALUE}).")
    private Path out;

    @Option(names = "--include", paramLabel = "REGEX",
        description = "JMH include regex over benchmark names (default: every hypervisor benchmark).")
    private String include = HypervisorBenchRunner.DEFAULT_INCLUDE;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter console = spec.commandLine().getOut();
        Files.createDirectories(out);
        final Path jsonFile = out.resolve(HypervisorBenchReport.JSON_FILE);
        if (!run.useExistingResult(jsonFile))
        {
            final HypervisorBenchSettings settings = new HypervisorBenchSettings(
                run.forks(),
                run.warmupIterations(),
                run.iterations(),
                run.timeMs(),
                include,
                jsonFile);
            run.printPlan(console, "pvio bench hypervisor", settings.estimatedFullSuiteSeconds());
            Files.deleteIfExists(jsonFile);
            HypervisorBenchRunner.run(settings);
        }
        if (!Files.exists(jsonFile))
        {
            spec.commandLine().getErr().println("no JMH result at " + jsonFile + ": did every benchmark fail?");
            return 1;
        }
        final HypervisorBenchReport report = HypervisorBenchReport.fromJson(jsonFile);
        final Path reportFile = report.writeTo(out);
        console.println();
        console.println("Report: " + reportFile.toAbsolutePath());
        console.print(report.table());
        console.flush();
        return 0;
    }
}
