package io.pvio.examples.demo;

import io.pvio.examples.cli.PvioCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RingDemoTest
{
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);

    @Test
    void everyRoundTripCompletesAndKicksFollowTheEventIndex(@TempDir final Path dir) throws Exception
    {
        final Path ringFile = dir.resolve("ring");
        final RingDemoResult result =
            new RingDemo(new RingDemoSettings(50_000, 0, true, 3, ringFile, 60), out).run();

        assertNull(result.problem(), result::problem);
        assertEquals(50_000, result.roundTrips());
        // With suppression a side is only kicked when it asked (at most once per batch published to it).
        assertTrue(result.kicksToBack() <= result.frontBatches(), result::toString);
        assertTrue(result.kicksToFront() <= result.backBatches(), result::toString);
        assertTrue(result.kicksToBack() >= 1, "the back end asked for the very first request (req_event = 1)");
        // The ring file stays where the user asked for it, holding the final header.
        assertEquals(4096, Files.size(ringFile));
        final String text = output.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("published"), text);
        assertTrue(text.contains("50000 of 50000 round trips correct"), text);
    }

    @Test
    void withoutSuppressionEveryBatchKicks() throws Exception
    {
        final RingDemoResult result =
            new RingDemo(new RingDemoSettings(20_000, 1, false, 0, null, 60), out).run();

        assertTrue(result.correct(), result::problem);
        assertEquals(result.frontBatches(), result.kicksToBack());
        assertEquals(result.backBatches(), result.kicksToFront());
    }

    @Test
    void commandExitsZeroOnSuccessAndTwoOnBadArguments(@TempDir final Path dir)
    {
        assertEquals(0, PvioCommand.execute("demo", "ring", "--requests", "5000", "--narrate", "1"));
        assertEquals(2, PvioCommand.execute("demo", "ring", "--requests", "0"));
        assertEquals(2, PvioCommand.execute("demo", "ring", "--ring-page-order", "5"));
        final String ringFile = dir.resolve("r").toString();
        assertEquals(0, PvioCommand.execute("demo", "ring", "--requests", "100", "--ring-file", ringFile));
        assertEquals(2, PvioCommand.execute("demo", "ring", "--requests", "100", "--ring-file", ringFile));
    }
}
