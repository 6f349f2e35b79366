package io.pvio.examples.demo.block;

import io.pvio.examples.cli.PvioCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pvio demo}: the block demo as a user runs it, its output read the way a user would read it. */
class BlockDemoCommandTest
{
    /** What one run printed and returned. */
    private record Run(int status, String out, String err)
    {
    }

    private static Run run(final String... args)
    {
        final PrintStream savedOut = System.out;
        final PrintStream savedErr = System.err;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        try
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            final int status = PvioCommand.execute(args);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    private static long number(final String text, final String regex)
    {
        final Matcher matcher = Pattern.compile(regex).matcher(text);
        assertTrue(matcher.find(), () -> "no match for " + regex + " in:\n" + text);
        return Long.parseLong(matcher.group(1));
    }

    @Test
    void theDefaultDemoConnectsVerifiesAndCountsConsistently()
    {
        final Run run = run("demo");
        final String text = run.out();

        assertEquals(0, run.status(), () -> text + run.err());
        // the handshake, as the XenStore watch saw it (a state replaced at once may go unseen, but what that end
        // published with it is told): both ends reach Connected, then close
        assertTrue(text.contains("feature-max-indirect-segments 64"), text);
        assertTrue(text.contains("queue-1/event-channel"), text);
        assertTrue(Pattern.compile("\\] back +\\S+ -> Connected").matcher(text).find(), text);
        assertTrue(Pattern.compile("\\] front +\\S+ -> Connected").matcher(text).find(), text);
        assertTrue(Pattern.compile("\\] back +\\S+ -> Closed").matcher(text).find(), text);
        assertTrue(Pattern.compile("\\] front +\\S+ -> Closed").matcher(text).find(), text);
        // the step-by-step requests, including an indirect one, and the check of the image file
        assertTrue(text.contains("write 1 of 256: BLKIF_OP_WRITE of sectors 0-63"), text);
        assertTrue(text.contains("BLKIF_OP_INDIRECT"), text);
        assertTrue(text.contains("flush: BLKIF_OP_FLUSH_DISKCACHE"), text);
        assertTrue(text.contains("all 42688 hold what the guest wrote"), text);
        assertTrue(text.contains("verified: 256 writes read back byte for byte"), text);
        assertFalse(text.contains("FAILED"), text);

        final long requests = number(text, "requests +(\\d+) answered by blkback");
        final long kicksToDom0 = number(text, "guest -> dom0: (\\d+) EVTCHNOP_send for \\d+ requests");
        final long kicksToGuest = number(text, "dom0 -> guest: (\\d+) EVTCHNOP_send");
        final long batches = number(text, "dom0 -> guest: \\d+ EVTCHNOP_send for (\\d+) batches");
        final long eventsToDom0 = number(text, "pending bitmask: to dom0 (\\d+)");
        final long eventsToGuest = number(text, "to the guest (\\d+)");
        assertEquals(2 * 256 + 1, requests, "every write, the flush and every read");
        assertEquals(requests, number(text, "EVTCHNOP_send for (\\d+) requests"));
        assertTrue(kicksToDom0 >= 1 && kicksToDom0 <= requests, text);
        assertTrue(kicksToGuest >= 1 && kicksToGuest <= batches, "at most one event per batch of responses");
        assertTrue(batches <= requests, text);
        // a send to a port already pending coalesces; binding a port marks it pending once
        assertTrue(eventsToDom0 >= 1 && eventsToDom0 <= kicksToDom0 + 2, text);
        assertTrue(eventsToGuest >= 1 && eventsToGuest <= kicksToGuest + 2, text);
        assertTrue(text.contains("it holds 0 mappings after the detach"), text);
    }

    @Test
    void theImageKeepsThePatternAndQuietPrintsOnlyTheSummary(@TempDir final Path dir) throws IOException
    {
        final Path image = dir.resolve("disk.img");
        final Run run = run("demo", "--image", image.toString(), "--requests", "8", "--size-mib", "4", "--quiet");

        assertEquals(0, run.status(), () -> run.out() + run.err());
        assertFalse(run.out().contains("2. Handshake"), run.out());
        assertTrue(run.out().contains("5. Summary"), run.out());
        assertTrue(run.out().contains("verified: 8 writes"), run.out());
        assertEquals(4L << 20, Files.size(image));
        final byte[] bytes = Files.readAllBytes(image);
        final long sectors = new DemoRequestPlan(8).totalSectors();
        for (int sector = 0; sector < sectors; sector++)
        {
            final int offset = sector * SectorPattern.SECTOR_BYTES;
            assertArrayEquals(SectorPattern.sectorBytes(sector),
                Arrays.copyOfRange(bytes, offset, offset + SectorPattern.SECTOR_BYTES), "sector " + sector);
        }
        assertEquals("pvio sector 0 line 0", new String(bytes, 0, 20, StandardCharsets.US_ASCII));
        assertEquals(0, bytes[(int)sectors * SectorPattern.SECTOR_BYTES], "nothing past the plan was written");

        final Run again = run("demo", "--image", image.toString(), "--requests", "8", "--size-mib", "4");
        assertEquals(2, again.status());
        assertTrue(again.err().contains("--image " + image + " already exists"), again.err());
    }

    @Test
    void badArgumentsExitTwoAndSayWhy()
    {
        final Run zero = run("demo", "--size-mib", "0");
        assertEquals(2, zero.status());
        assertTrue(zero.err().contains("--size-mib must be in 1..65536: 0"), zero.err());
        assertEquals("", zero.out());

        final Run tooMuch = run("demo", "--requests", "1000", "--size-mib", "8");
        assertEquals(2, tooMuch.status());
        assertTrue(tooMuch.err().contains("--requests 1000 write 81.4 MiB, more than a 8 MiB disk holds: " +
            "use --size-mib 82 or more"), tooMuch.err());

        assertEquals(2, run("demo", "--requests", "0").status());
        assertEquals(2, run("demo", "--narrate", "-1").status());
        assertEquals(2, run("demo", "--timeout-seconds", "0").status());
    }
}
