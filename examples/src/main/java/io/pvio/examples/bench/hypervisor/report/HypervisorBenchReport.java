package io.pvio.examples.bench.hypervisor.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The hypervisor benchmark report of one JMH run, written next to its JSON result as {@value #REPORT_FILE}. */
public final class HypervisorBenchReport
{
    /** JMH's JSON result file in the output directory. */
    public static final String JSON_FILE = "jmh.json";
    /** The Markdown report. */
    public static final String REPORT_FILE = "report.md";

    private final HypervisorResults results;

    private HypervisorBenchReport(final HypervisorResults results)
    {
        this.results = results;
    }

    /** Parses a JMH JSON result file. */
    public static HypervisorBenchReport fromJson(final Path jsonFile) throws IOException
    {
        return new HypervisorBenchReport(
            HypervisorResultParser.parse(Files.readString(jsonFile, StandardCharsets.UTF_8)));
    }

    public HypervisorResults results()
    {
        return results;
    }

    /**
     * Writes the Markdown report into {@code directory} (created if needed).
     *
     * @return the report's path.
     */
    public Path writeTo(final Path directory) throws IOException
    {
        Files.createDirectories(directory);
        final Path report = directory.resolve(REPORT_FILE);
        Files.writeString(report, HypervisorReportWriter.markdown(results), StandardCharsets.UTF_8);
        return report;
    }

    /** The results table, for the console. */
    public String table()
    {
        return HypervisorReportWriter.table(results);
    }
}
