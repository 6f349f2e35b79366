package io.pvio.examples.bench.block;

import io.pvio.backend.block.BlkbackRing;
import io.pvio.examples.bench.report.JsonParser;
import io.pvio.examples.cli.PvioCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pvio bench block} end to end, with tiny windows: the JSON contract, the report files and bad arguments. */
class BlockBenchCommandTest
{
    private static final List<String> NAMES = List.of("rand-read-4k-qd1", "rand-read-4k-qd32", "rand-write-4k-qd1",
        "rand-write-4k-qd32", "seq-read-1m", "seq-write-1m");
    private static final Set<String> FIELDS = Set.of("name", "queue_depth", "pv_iops", "native_iops", "pv_mbps",
        "native_mbps", "ratio", "kicks_per_request", "hypercalls_per_request");
    private static final String[] TINY = {"--seconds", "0.2", "--warmup-seconds", "0.1", "--size-mib", "16",
        "--seq-queue-depth", "2", "--rounds", "1", "--warmup-rounds", "0"};

    /** What a run printed and returned. */
    private record Run(int status, String out, String err)
    {
    }

    @Test
    void jsonIsOneObjectPerWorkloadWithExactlyTheDocumentedFields(@TempDir final Path directory) throws Exception
    {
        final Path out = directory.resolve("report");
        final Run run = run(concat(new String[] {"bench", "block", "--json", "--out", out.toString()}, TINY));

        assertEquals(0, run.status(), run.err());
        final Object parsed = JsonParser.parse(run.out()); // nothing but the array on stdout
        final List<?> rows = assertInstanceOf(List.class, parsed);
        assertEquals(NAMES.size(), rows.size(), run.out());
        for (int i = 0; i < rows.size(); i++)
        {
            final Map<?, ?> row = assertInstanceOf(Map.class, rows.get(i));
            assertEquals(FIELDS, row.keySet(), run.out());
            assertEquals(NAMES.get(i), row.get("name"));
            final double queueDepth = number(row, "queue_depth");
            assertEquals(NAMES.get(i).endsWith("qd1") ? 1 : NAMES.get(i).endsWith("qd32") ? 32 : 2, queueDepth);
            final double pvIops = number(row, "pv_iops");
            final double nativeIops = number(row, "native_iops");
            assertTrue(pvIops > 0 && nativeIops > 0, run.out());
            assertTrue(number(row, "pv_mbps") > 0 && number(row, "native_mbps") > 0, run.out());
            final double bytes = NAMES.get(i).contains("4k") ? 4096 : 1 << 20;
            assertEquals(pvIops * bytes / 1e6, number(row, "pv_mbps"), 0.01 + pvIops * bytes / 1e6 * 1e-3);
            assertEquals(pvIops / nativeIops, number(row, "ratio"), 1e-3 * Math.max(1, pvIops / nativeIops));
            for (final String perRequest : List.of("kicks_per_request", "hypercalls_per_request"))
            {
                final double value = number(row, perRequest);
                assertTrue(value >= 0 && Double.isFinite(value), perRequest + " " + value);
            }
            // every kick is an EVTCHNOP_send; agents that poll while they spin may need no hypercall at all
            assertTrue(number(row, "hypercalls_per_request") >= number(row, "kicks_per_request"), run.out());
        }
        assertEquals(run.out(), Files.readString(out.resolve(BlockBenchReport.JSON_FILE)));
        final String report = Files.readString(out.resolve(BlockBenchReport.REPORT_FILE));
        assertTrue(report.contains("| `seq-write-1m` | 2 |"), report);
        assertTrue(run.err().contains("integrity check passed"), run.err());
    }

    @Test
    void tableNamesEveryColumnAndSelectedWorkload()
    {
        final Run run = run(concat(new String[] {"bench", "block", "--workloads", "rand-read-4k-qd32,seq-write-1m"},
            TINY));

        assertEquals(0, run.status(), run.err());
        final String header = run.out().lines().filter(line -> !line.isBlank()).findFirst().orElse("");
        for (final String column : List.of("workload", "qd", "PV IOPS", "native IOPS", "PV MB/s", "native MB/s",
            "PV/native", "kicks/req", "hypercalls/req"))
        {
            assertTrue(header.contains(column), header);
        }
        assertTrue(run.out().contains("rand-read-4k-qd32"), run.out());
        assertTrue(run.out().contains("seq-write-1m"), run.out());
        assertFalse(run.out().contains("rand-write-4k-qd1 "), run.out());
    }

    @Test
    void roundsTakeTurnsAndTheFiguresAreTheirMedians(@TempDir final Path directory) throws Exception
    {
        final Path out = directory.resolve("report");
        final Run run = run("bench", "block", "--json", "--out", out.toString(), "--workloads",
            "rand-read-4k-qd32,seq-write-1m", "--seconds", "0.1", "--warmup-seconds", "0.05", "--size-mib", "16",
            "--seq-queue-depth", "2", "--rounds", "3", "--warmup-rounds", "1");

        assertEquals(0, run.status(), run.err());
        // one warm-up round per workload first, told apart and not counted
        final java.util.regex.Matcher warmup = java.util.regex.Pattern.compile(
            "(\\S+) +warm-up 1/1: PV +\\d+ IOPS, native +\\d+ IOPS, ratio \\d+\\.\\d\\d \\(not counted\\)")
            .matcher(run.err());
        final List<String> warmedUp = new java.util.ArrayList<>();
        while (warmup.find())
        {
            warmedUp.add(warmup.group(1));
        }
        assertEquals(List.of("rand-read-4k-qd32", "seq-write-1m"), warmedUp, run.err());
        assertTrue(run.err().indexOf("rand-read-4k-qd32  warm-up 1/1") <
            run.err().indexOf("rand-read-4k-qd32  round 1/3"), run.err());
        // every round of each workload is told on stderr with both paths' IOPS
        final java.util.regex.Pattern roundLine = java.util.regex.Pattern.compile(
            "(\\S+) +round (\\d)/3: PV +(\\d+) IOPS, native +(\\d+) IOPS, ratio \\d+\\.\\d\\d; " +
                "cross-core round trip \\d+ ns; blkback's ring empty (\\d+\\.\\d)%, " +
                "(\\d+\\.\\d) requests per batch; host steal (\\d+\\.\\d%|n/a) PV, (\\d+\\.\\d%|n/a) native; " +
                "JIT (\\d+ ms|n/a) PV, (\\d+ ms|n/a) native; per request, storage call (\\d+|n/a)( ns)? PV, " +
                "(\\d+|n/a)( ns)? native, the rest (-?\\d+|n/a)( ns)? PV, (-?\\d+|n/a)( ns)? native");
        final Map<String, List<double[]>> rounds = new java.util.HashMap<>();
        int timedWindows = 0;
        final java.util.regex.Matcher matcher = roundLine.matcher(run.err());
        while (matcher.find())
        {
            // a share of the window: the ring cannot sit empty longer than the window
            final double emptyPercent = Double.parseDouble(matcher.group(5));
            assertTrue(emptyPercent >= 0 && emptyPercent <= 100, matcher.group());
            // steal is a share of each window, or n/a where /proc/stat gives none
            for (final int group : new int[] {7, 8})
            {
                final String steal = matcher.group(group);
                assertTrue(steal.equals("n/a") || Double.parseDouble(steal.replace("%", "")) <= 100, matcher.group());
            }
            // HotSpot times its compilers: each window says how long they worked in it
            for (final int group : new int[] {9, 10})
            {
                assertTrue(matcher.group(group).endsWith(" ms"), matcher.group());
            }
            // a window's storage calls are timed in a sample: a call takes time, and whatever a window's requests
            // took is at least its calls' share of it
            for (final int group : new int[] {11, 13})
            {
                if (!matcher.group(group).equals("n/a"))
                {
                    timedWindows++;
                    assertTrue(Long.parseLong(matcher.group(group)) > 0, matcher.group());
                    assertEquals(" ns", matcher.group(group + 1), matcher.group());
                }
            }
            // a batch answers at least one request and at most blkback's batch limit
            final double perBatch = Double.parseDouble(matcher.group(6));
            assertTrue(perBatch >= 1 && perBatch <= BlkbackRing.MAX_BATCH_REQUESTS,
                matcher.group());
            rounds.computeIfAbsent(matcher.group(1), name -> new java.util.ArrayList<>())
                .add(new double[] {Double.parseDouble(matcher.group(3)), Double.parseDouble(matcher.group(4))});
        }
        assertEquals(Set.of("rand-read-4k-qd32", "seq-write-1m"), rounds.keySet(), run.err());
        // 0.1 s windows of hundreds of requests or more: one in 64 is timed, so nearly every window has some
        assertTrue(timedWindows >= 6, run.err());
        final List<?> rows = assertInstanceOf(List.class, JsonParser.parse(run.out()));
        for (final Object parsed : rows)
        {
            final Map<?, ?> row = assertInstanceOf(Map.class, parsed);
            final List<double[]> perRound = rounds.get((String)row.get("name"));
            assertEquals(3, perRound.size(), run.err());
            // the JSON figures are the median round of each path (the rounds are printed rounded to whole IOPS)
            final double[] pv = perRound.stream().mapToDouble(r -> r[0]).sorted().toArray();
            final double[] nativeIops = perRound.stream().mapToDouble(r -> r[1]).sorted().toArray();
            assertEquals(pv[1], number(row, "pv_iops"), 0.51, run.err() + run.out());
            assertEquals(nativeIops[1], number(row, "native_iops"), 0.51, run.err() + run.out());
            assertEquals(number(row, "pv_iops") / number(row, "native_iops"), number(row, "ratio"), 1e-3);
        }
        final String report = Files.readString(out.resolve(BlockBenchReport.REPORT_FILE));
        assertTrue(report.contains("3 rounds per workload after 1 warm-up round not counted"), report);
        assertTrue(report.contains("| Workload | 1 (PV first) | 2 (native first) | 3 (PV first) |"), report);
        assertTrue(java.util.regex.Pattern.compile(
                "\\| `seq-write-1m` \\|( \\d+\\.\\d\\d \\(\\d+, \\d+\\.\\d%\\) \\|){3}\n")
            .matcher(report).find(), report);
        // where an I/O thread's time per request goes: both storage calls timed, the rests and their difference
        assertTrue(report.contains("| Workload | PV storage call | native storage call | PV rest | native rest | " +
            "PV rest - native rest |"), report);
        assertTrue(java.util.regex.Pattern.compile("\\| `rand-read-4k-qd32` \\| [\\d,]+ \\| [\\d,]+ \\|" +
            "( -?[\\d,]+ \\|){3}\n").matcher(report).find(), report);
    }

    @Test
    void plainGuestPagesTakeTheCopyingPathAndPassTheIntegrityCheck() throws Exception
    {
        final Run run = run(concat(new String[] {"bench", "block", "--buffers", "plain", "--workloads",
            "rand-write-4k-qd1,seq-read-1m"}, TINY));
        assertEquals(0, run.status(), run.err());
        assertTrue(run.err().contains("plain buffers"), run.err());
        assertTrue(run.err().contains("integrity check passed"), run.err());
        // the details table's last column: share of requests blkback served straight on the guest's pages; plain
        // pages are copied through blkfront's persistent pages, one page per 4 KiB request, so those still go direct
        assertTrue(run.out().contains("direct"), run.out());
    }

    @Test
    void badArgumentsExitWithTwoAndSayWhy(@TempDir final Path directory) throws Exception
    {
        final Run unknown = run(concat(new String[] {"bench", "block", "--workloads", "rand-read-4k-qd2"}, TINY));
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("unknown workload 'rand-read-4k-qd2'"), unknown.err());
        assertTrue(unknown.out().isEmpty(), unknown.out());

        final Run tooSmall = run("bench", "block", "--size-mib", "1");
        assertEquals(2, tooSmall.status());
        assertTrue(tooSmall.err().contains("image size"), tooSmall.err());

        final Run noWindow = run("bench", "block", "--seconds", "0");
        assertEquals(2, noWindow.status());
        assertTrue(noWindow.err().contains("measured window"), noWindow.err());

        final Run buffers = run("bench", "block", "--buffers", "pinned");
        assertEquals(2, buffers.status());
        assertTrue(buffers.err().contains("'registered' or 'plain'"), buffers.err());

        final Run rounds = run("bench", "block", "--rounds", "0");
        assertEquals(2, rounds.status());
        assertTrue(rounds.err().contains("rounds must be in 1..100: 0"), rounds.err());

        final Run warmupRounds = run("bench", "block", "--warmup-rounds", "-1");
        assertEquals(2, warmupRounds.status());
        assertTrue(warmupRounds.err().contains("warm-up rounds must be in 0..100: -1"), warmupRounds.err());

        final Run queues = run("bench", "block", "--queues", "0");
        assertEquals(2, queues.status());
        assertTrue(queues.err().contains("queues"), queues.err());

        final Run shortPoll = run("bench", "block", "--idle-spin-us", "100", "--await-poll-us", "50");
        assertEquals(2, shortPoll.status());
        assertTrue(shortPoll.err().contains("poll for answers must be in 100"), shortPoll.err());

        // 2305843009213694202 us is 250,000 ns modulo 2^64: refused, not wrapped into the default
        final Run hugePoll = run("bench", "block", "--await-poll-us", "2305843009213694202");
        assertEquals(2, hugePoll.status());
        assertTrue(hugePoll.err().contains("--await-poll-us is out of range"), hugePoll.err());

        final Path existing = Files.writeString(directory.resolve("precious.img"), "keep me");
        final Run exists = run("bench", "block", "--file", existing.toString());
        assertEquals(2, exists.status());
        assertTrue(exists.err().contains("--overwrite"), exists.err());
        assertEquals("keep me", Files.readString(existing));
    }

    private static double number(final Map<?, ?> row, final String field)
    {
        return assertInstanceOf(Double.class, row.get(field), field).doubleValue();
    }

    private static String[] concat(final String[] first, final String[] second)
    {
        final String[] all = new String[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    /** Runs the command line as {@code java -jar pvio.jar} would, capturing stdout and stderr. */
    private static Run run(final String... args)
    {
        final PrintStream stdout = System.out;
        final PrintStream stderr = System.err;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        try
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            final int status = PvioCommand.execute(args);
            System.out.flush();
            System.err.flush();
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }
}
