package io.pvio.examples.bench.hypervisor.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parse a small synthetic JMH result (2 forks x 2 iterations: a blocked-vCPU round trip, a polling one with its
 * counters, a polling send rate with its counters, a read-only map, a 16 x 4 KiB copy, and one ring benchmark to
 * ignore), then check the model and the Markdown against numbers worked out by hand.
 */
class BenchHypervisorReportTest
{
    static String syntheticJson() throws IOException
    {
        try (InputStream in = BenchHypervisorReportTest.class.getResourceAsStream("synthetic-jmh.json"))
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static HypervisorMeasurement find(final HypervisorResults results, final HypervisorBenchmark benchmark)
    {
        for (final HypervisorMeasurement measurement : results.measurements())
        {
            if (measurement.benchmark() == benchmark)
            {
                return measurement;
            }
        }
        throw new AssertionError(benchmark + " not parsed");
    }

    @Test
    void parsesTheHypervisorBenchmarksOnly() throws IOException
    {
        final HypervisorResults results = HypervisorResultParser.parse(syntheticJson());

        assertEquals(6, results.measurements().size());
        assertEquals(2, results.runInfo().forks());
        assertEquals(List.of("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"), results.runInfo().jvmArgs());
    }

    @Test
    void scoreIsTheMedianOfForkMediansWithDerivedFigures() throws IOException
    {
        final HypervisorResults results = HypervisorResultParser.parse(syntheticJson());

        // fork medians 1,100 and 1,200 ns: median 1,150 ns, one way 575 ns.
        final HypervisorMeasurement roundTrip = find(results, HypervisorBenchmark.EVENT_ROUND_TRIP);
        assertEquals(1150.0, roundTrip.median(), 1e-9);
        assertEquals(1100.0, roundTrip.score().min(), 1e-9);
        assertEquals(1200.0, roundTrip.score().max(), 1e-9);
        assertEquals(0.002, roundTrip.allocBytesPerOp(), 1e-12);
        assertEquals("one way (round trip / 2): 575 ns", roundTrip.benchmark().derived(roundTrip));
        // with the counters: 3.2 ms over 4,000 round trips timed inside.
        final HypervisorMeasurement timed = results.measurements().get(1);
        assertEquals("POLLING", timed.params().get("receiver"));
        assertEquals("send to reply: 800 ns, one way (round trip / 2): 400 ns", timed.benchmark().derived(timed));

        // 8,000 sends and 80 deliveries over every iteration; gc.* metrics are no counters.
        final HypervisorMeasurement sends = find(results, HypervisorBenchmark.EVENT_SENDS);
        assertEquals(3.0e6, sends.median(), 1e-6);
        assertEquals(8000, sends.counter("sends"));
        assertEquals(80, sends.counter("deliveries"));
        assertEquals(-1, sends.counter("gc.count"));
        assertEquals("deliveries / 1,000 sends: 10.0", sends.benchmark().derived(sends));

        // fork medians 1,600 and 3,200 ns per hypercall of 16: 2,400 ns, 150 ns per element.
        final HypervisorMeasurement copy = find(results, HypervisorBenchmark.GRANT_COPY);
        assertEquals("batchSize=16, lengthBytes=4096", copy.paramsLabel());
        assertEquals("per element: 150 ns", copy.benchmark().derived(copy));
        final HypervisorMeasurement map = find(results, HypervisorBenchmark.GRANT_MAP_UNMAP);
        assertEquals(110.0, map.median(), 1e-9);
        assertEquals("-", map.benchmark().derived(map));
        // fork medians 160 and 170 ns per request: 165 ns
        final HypervisorMeasurement blkback = find(results, HypervisorBenchmark.BLKBACK_READ);
        assertEquals(165.0, blkback.median(), 1e-9);
        assertEquals("diskMib=1, path=BLKBACK", blkback.paramsLabel());
    }

    @Test
    void writesTheTableAndOneLinePerBenchmark(@TempDir final Path directory) throws IOException
    {
        final Path json = directory.resolve(HypervisorBenchReport.JSON_FILE);
        Files.writeString(json, syntheticJson());

        final HypervisorBenchReport report = HypervisorBenchReport.fromJson(json);
        final String markdown = Files.readString(report.writeTo(directory));

        assertTrue(markdown.contains("| Benchmark | Parameters | Score (median) | Fork range | B/op | Derived |"));
        assertTrue(markdown.contains("| Event round trip | receiver=BLOCKING | 1150 ns | 1100 ns - 1200 ns | 0.002 | " +
            "one way (round trip / 2): 575 ns |"), markdown);
        assertTrue(markdown.contains("| Event sends | receiver=POLLING | 3.00 M ops/s | 3.00 M ops/s - 3.00 M ops/s |"),
            markdown);
        assertTrue(markdown.contains("| Grant copy | batchSize=16, lengthBytes=4096 | 2400 ns | 1600 ns - 3200 ns | " +
            "0.001 | per element: 150 ns |"), markdown);
        assertTrue(markdown.contains("**Fewer than 3 forks: a smoke run"), markdown);
        for (final HypervisorBenchmark benchmark : HypervisorBenchmark.values())
        {
            assertTrue(markdown.contains("- **" + benchmark.label() + "**: "), benchmark.label());
        }
        assertTrue(report.table().startsWith("| Benchmark |"));
    }

    @Test
    void refusesAFileWithoutHypervisorResults()
    {
        assertThrows(IllegalArgumentException.class, () -> HypervisorResultParser.parse("[]"));
        assertThrows(IllegalArgumentException.class, () -> HypervisorResultParser.parse("{}"));
    }
}
