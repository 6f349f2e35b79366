package io.pvio.examples.cli;

import io.pvio.examples.bench.hypervisor.report.HypervisorBenchReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pvio bench hypervisor --from-json}: the report path without running JMH. */
class BenchHypervisorCommandTest
{
    @Test
    void writesTheReportAndPrintsTheTable(@TempDir final Path directory) throws IOException
    {
        final Path json = directory.resolve("input.json");
        try (InputStream in = getClass().getResourceAsStream(
            "/io/pvio/examples/bench/hypervisor/report/synthetic-jmh.json"))
        {
            Files.write(json, in.readAllBytes());
        }
        final Path out = directory.resolve("report");
        final StringWriter console = new StringWriter();
        final CommandLine commandLine = new CommandLine(new BenchCommand());
        commandLine.setOut(new PrintWriter(console));

        final int status = commandLine.execute("hypervisor", "--from-json", json.toString(), "--out", out.toString());

        assertEquals(0, status, console.toString());
        assertTrue(Files.exists(out.resolve(HypervisorBenchReport.REPORT_FILE)));
        assertEquals(Files.readString(json), Files.readString(out.resolve(HypervisorBenchReport.JSON_FILE)));
        assertTrue(console.toString().contains("| Grant map + unmap | readOnly=true | 110 ns |"), console.toString());
    }

    @Test
    void usageListsTheSuiteOptions()
    {
        final String usage = new CommandLine(new BenchCommand()).getSubcommands().get("hypervisor").getUsageMessage();

        for (final String option : new String[] {"--forks", "--warmup-iterations", "--iterations", "--time-ms",
            "--quick", "--out", "--include"})
        {
            assertTrue(usage.contains(option), option);
        }
    }
}
