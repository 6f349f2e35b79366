package io.pvio.examples.bench.ring.report;

import io.pvio.examples.bench.ring.RingKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.pvio.examples.bench.ring.report.BenchmarkKind.ROUND_TRIP;
import static io.pvio.examples.bench.ring.report.BenchmarkKind.THROUGHPUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parse a small synthetic JMH result (2 forks x 2 iterations; pvio, pvio without suppression, Agrona and JCTools at
 * one page and batches 1 and 32, plus two round trips and one unrelated benchmark), then check the model, the goal
 * lines, the Markdown and the chart against numbers worked out by hand.
 */
class BenchRingReportTest
{
    static String syntheticJson() throws IOException
    {
        try (InputStream in = BenchRingReportTest.class.getResourceAsStream("synthetic-jmh.json"))
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void parsesEveryRingConfigurationAndIgnoresOtherBenchmarks() throws IOException
    {
        final RingResults results = JmhResultParser.parse(syntheticJson());

        assertEquals(8, results.of(THROUGHPUT).size());
        assertEquals(2, results.of(ROUND_TRIP).size());
        assertEquals(2, results.runInfo().forks());
        assertTrue(results.runInfo().jvmArgs().contains("-Dagrona.disable.bounds.checks=true"));
    }

    @Test
    void scoreIsTheMedianOfForkMedians() throws IOException
    {
        final RingMeasurement pvio = find(THROUGHPUT, RingKind.PVIO, 1);

        // fork medians: (10 + 12) / 2 = 11 M and (11 + 13) / 2 = 12 M.
        assertEquals(11.5e6, pvio.median(), 1e-6);
        assertEquals(11e6, pvio.score().min(), 1e-6);
        assertEquals(12e6, pvio.score().max(), 1e-6);
        assertEquals(2, pvio.score().forks());
        assertEquals("ops/s", pvio.unit());
    }

    @Test
    void countsKicksPerThousandRequestsOverAllIterations() throws IOException
    {
        // 3 + 5 + 2 + 2 = 12 kicks over 4 million requests.
        assertEquals(0.003, find(THROUGHPUT, RingKind.PVIO, 1).kicksPerThousandRequests(), 1e-12);
        // every push kicked: 2 million kicks per million requests in each of 4 iterations.
        assertEquals(2000.0, find(THROUGHPUT, RingKind.PVIO_NO_SUPPRESSION, 1).kicksPerThousandRequests(), 1e-9);
        assertEquals(0.002, find(THROUGHPUT, RingKind.PVIO, 1).allocBytesPerOp(), 1e-12);
    }

    @Test
    void comparesWithTheFastestPeerAtTheSameBatch() throws IOException
    {
        final RingResults results = JmhResultParser.parse(syntheticJson());

        assertEquals(RingKind.JCTOOLS, results.fastestPeer(THROUGHPUT, 1, 1).orElseThrow().ring());
        assertEquals(11.5 / 21, results.speedRatioToFastestPeer(find(THROUGHPUT, RingKind.PVIO, 1)).orElseThrow(),
            1e-9);
        assertEquals(RingKind.AGRONA, results.fastestPeer(ROUND_TRIP, 1, 1).orElseThrow().ring());
        // round trips: 255 ns for Agrona, 200 ns for pvio: pvio is 1.275x as fast.
        assertEquals(1.275, results.speedRatioToFastestPeer(find(ROUND_TRIP, RingKind.PVIO, 1)).orElseThrow(), 1e-9);
    }

    @Test
    void goalLinesCarryTheMeasuredRatiosAndVerdicts() throws IOException
    {
        final List<GoalLine> goals = GoalEvaluator.evaluate(JmhResultParser.parse(syntheticJson()));

        // per ring size: batch 1 and 32 for pvio (event index), then for pvio (polling); round trip for each mode;
        // kicks; allocation. The synthetic run has no polling results: those lines say so.
        assertEquals(8, goals.size());
        assertGoal(goals.get(0), GoalLine.Status.SHORT, 11.5 / 21, "0.55x");
        assertGoal(goals.get(1), GoalLine.Status.MET, 60.0 / 25, "2.40x");
        assertEquals(GoalLine.Status.NOT_MEASURED, goals.get(2).status());
        assertEquals(GoalLine.Status.NOT_MEASURED, goals.get(3).status());
        assertGoal(goals.get(4), GoalLine.Status.MET, 200.0 / 255, "0.78x");
        assertEquals(GoalLine.Status.NOT_MEASURED, goals.get(5).status());
        // worst pvio (event index) configuration: batch 32, 1,600 kicks over 4 million requests.
        assertGoal(goals.get(6), GoalLine.Status.MET, 0.4, "0.4 per 1,000");
        assertGoal(goals.get(7), GoalLine.Status.MET, 0.002, "0.002 B/op");
    }

    @Test
    void kicksGoalFallsShortWhenSuppressedRingKicksOften() throws IOException
    {
        final String json = syntheticJson()
            .replace("\"kicks\": {\"score\": 0.0, \"scoreError\": \"NaN\", \"scoreConfidence\": [\"NaN\", \"NaN\"], " +
                "\"scorePercentiles\": {\"50.0\": 0.0}, \"scoreUnit\": \"#\", \"rawData\": [[400.0, 400.0]",
                "\"kicks\": {\"score\": 0.0, \"scoreError\": \"NaN\", \"scoreConfidence\": [\"NaN\", \"NaN\"], " +
                "\"scorePercentiles\": {\"50.0\": 0.0}, \"scoreUnit\": \"#\", \"rawData\": [[40000.0, 400.0]");
        final GoalLine kicks = GoalEvaluator.evaluate(JmhResultParser.parse(json)).get(6);

        assertEquals(GoalLine.Status.SHORT, kicks.status());
        assertEquals((40000.0 + 400 * 3) / 4000.0, kicks.ratio(), 1e-9);
    }

    @Test
    void goalsWithoutDataAreNotMeasured() throws IOException
    {
        final String throughputOnly = syntheticJson().replace("RingRoundTripBenchmark.roundTrip", "Other.roundTrip");
        final GoalLine roundTrip = GoalEvaluator.evaluate(JmhResultParser.parse(throughputOnly)).get(4);

        assertEquals(GoalLine.Status.NOT_MEASURED, roundTrip.status());
    }

    @Test
    void markdownHasTheTablesAndGoalLines() throws IOException
    {
        final RingResults results = JmhResultParser.parse(syntheticJson());
        final String markdown = MarkdownReportWriter.write(results, GoalEvaluator.evaluate(results), "chart.svg");

        assertTrue(markdown.contains("| pvio | 1 | 1 | event index | 11.5 M | 11.0 M - 12.0 M | 0.55x | 0.0 | 0.002 |"),
            markdown);
        assertTrue(
            markdown.contains("| JCTools SpscArrayQueue | 1 | 32 | n/a | 25.0 M | 25.0 M - 25.0 M | 1.00x | - |"),
            markdown);
        assertTrue(markdown.contains("| pvio | 200 ns | 195 ns - 205 ns | 1.28x | 0.001 |"), markdown);
        assertTrue(markdown.contains("0.55x: pvio 11.5 M/s vs JCTools SpscArrayQueue 21.0 M/s | **short** |"),
            markdown);
        assertTrue(markdown.contains("![Throughput by batch size](chart.svg)"), markdown);
        assertTrue(markdown.contains("**Fewer than 5 forks"), markdown);
    }

    @Test
    void chartHasOneSeriesAndOneLegendEntryPerRing() throws Exception
    {
        final String svg = ThroughputSvgWriter.write(JmhResultParser.parse(syntheticJson()));
        final Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));

        final List<String> series = ringsOf(document, "series");
        final List<String> legend = ringsOf(document, "legend-entry");
        final List<String> expected = List.of("PVIO", "PVIO_NO_SUPPRESSION", "AGRONA", "JCTOOLS");
        assertEquals(expected, series);
        assertEquals(expected, legend);
        // two batch sizes: each series is a line through two points.
        final NodeList polylines = document.getElementsByTagName("polyline");
        for (int i = 0; i < polylines.getLength(); i++)
        {
            assertEquals(2, ((Element)polylines.item(i)).getAttribute("points").split(" ").length);
        }
        assertTrue(svg.contains(">1M<") && svg.contains(">100M<"), "decade tick labels");
    }

    @Test
    void writesReportAndChartFiles(@TempDir final Path directory) throws IOException
    {
        final Path json = directory.resolve("jmh.json");
        Files.writeString(json, syntheticJson());

        final RingBenchReport report = RingBenchReport.fromJson(json);
        final Path written = report.writeTo(directory.resolve("out"));

        assertTrue(Files.readString(written).startsWith("# pvio ring benchmark"));
        assertTrue(Files.readString(directory.resolve("out").resolve(RingBenchReport.CHART_FILE)).startsWith("<svg"));
        assertTrue(report.summary().contains("[short] batch 1, 1 page"), report.summary());
    }

    @Test
    void rejectsFilesThatAreNotJmhResults()
    {
        assertThrows(IllegalArgumentException.class, () -> JmhResultParser.parse("{\"benchmark\": 1}"));
        assertThrows(IllegalArgumentException.class, () -> JmhResultParser.parse("[]"));
        assertThrows(IllegalArgumentException.class, () -> JmhResultParser.parse("[{\"benchmark\": "));
    }

    private static RingMeasurement find(final BenchmarkKind benchmark, final RingKind ring, final int batchSize)
        throws IOException
    {
        return JmhResultParser.parse(syntheticJson()).find(benchmark, ring, 1, batchSize).orElseThrow();
    }

    private static void assertGoal(
        final GoalLine goal, final GoalLine.Status status, final double ratio, final String measuredText)
    {
        assertEquals(status, goal.status(), goal.toString());
        assertEquals(ratio, goal.ratio(), 1e-9, goal.toString());
        assertTrue(goal.measured().contains(measuredText), goal.toString());
    }

    private static List<String> ringsOf(final Document document, final String elementClass)
    {
        final List<String> rings = new ArrayList<>();
        final NodeList groups = document.getElementsByTagName("g");
        for (int i = 0; i < groups.getLength(); i++)
        {
            final Element group = (Element)groups.item(i);
            if (elementClass.equals(group.getAttribute("class")))
            {
                rings.add(group.getAttribute("data-ring"));
            }
        }
        return rings;
    }

    @Test
    void everyRingKindHasAChartStyle()
    {
        for (final RingKind kind : RingKind.values())
        {
            org.junit.jupiter.api.Assertions.assertNotNull(SeriesStyle.of(kind), kind::name);
        }
    }
}
