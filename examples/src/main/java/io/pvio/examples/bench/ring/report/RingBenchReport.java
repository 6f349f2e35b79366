package io.pvio.examples.bench.ring.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The ring benchmark report of one JMH run: parsed results, goals, and the files written next to the JSON result
 * ({@value #REPORT_FILE}, {@value #CHART_FILE}).
 */
public final class RingBenchReport
{
    /** JMH's JSON result file in the output directory. */
    public static final String JSON_FILE = "jmh.json";
    /** The Markdown report. */
    public static final String REPORT_FILE = "report.md";
    /** The throughput chart. */
    public static final String CHART_FILE = "throughput.svg";

    private final RingResults results;
    private final List<GoalLine> goals;

    private RingBenchReport(final RingResults results)
    {
        this.results = results;
        this.goals = GoalEvaluator.evaluate(results);
    }

    /** Parses a JMH JSON result file. */
    public static RingBenchReport fromJson(final Path jsonFile) throws IOException
    {
        return new RingBenchReport(JmhResultParser.parse(Files.readString(jsonFile, StandardCharsets.UTF_8)));
    }

    /** The parsed measurements. */
    public RingResults results()
    {
        return results;
    }

    /** The goals checked against this run. */
    public List<GoalLine> goals()
    {
        return goals;
    }

    /**
     * Writes the Markdown report and the chart into {@code directory} (created if needed).
     *
     * @return the report's path.
     */
    public Path writeTo(final Path directory) throws IOException
    {
        Files.createDirectories(directory);
        final Path report = directory.resolve(REPORT_FILE);
        Files.writeString(report, MarkdownReportWriter.write(results, goals, CHART_FILE), StandardCharsets.UTF_8);
        Files.writeString(directory.resolve(CHART_FILE), ThroughputSvgWriter.write(results), StandardCharsets.UTF_8);
        return report;
    }

    /** One line per goal, for the console. */
    public String summary()
    {
        final StringBuilder out = new StringBuilder();
        for (final GoalLine goal : goals)
        {
            out.append("  [").append(goal.status().label()).append("] ").append(goal.goal()).append(": ")
                .append(goal.measured()).append('\n');
        }
        return out.toString();
    }
}
