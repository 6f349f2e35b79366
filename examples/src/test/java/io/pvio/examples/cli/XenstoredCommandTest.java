package io.pvio.examples.cli;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pvio xenstored}: help, argument checks, and Debian's xenstore-ls against the running store. */
class XenstoredCommandTest
{
    @Test
    void helpDescribesTheSocket()
    {
        final StringWriter out = new StringWriter();
        final CommandLine commandLine = new CommandLine(new XenstoredCommand());
        commandLine.setOut(new PrintWriter(out));
        assertEquals(0, commandLine.execute("--help"));
        assertTrue(out.toString().contains("--socket"), out::toString);
        assertTrue(out.toString().contains("XENSTORED_PATH"), out::toString);
    }

    @Test
    void rejectsBadArguments(@TempDir final Path dir)
    {
        final CommandLine commandLine = new CommandLine(new XenstoredCommand());
        commandLine.setErr(new PrintWriter(new StringWriter()));
        assertEquals(2, commandLine.execute("--socket", dir.resolve("s").toString(), "--max-clients", "0"));
    }

    @Test
    void servesTheRealClientsUntilStopped(@TempDir final Path dir) throws Exception
    {
        final Path ls = Path.of("/usr/bin/xenstore-ls");
        if (!Files.isExecutable(ls))
        {
            if ("true".equalsIgnoreCase(System.getenv("CI")))
            {
                Assertions.fail("CI=true and xenstore-ls is missing (apt-get install -y xenstore-utils)");
            }
            Assumptions.abort("xenstore-ls not installed (apt-get install -y xenstore-utils)");
        }
        final Path socket = dir.resolve("xenstored.sock");
        final XenstoredCommand command = new XenstoredCommand();
        final CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(new PrintWriter(new StringWriter()));
        final AtomicInteger status = new AtomicInteger(-1);
        final Thread daemon = new Thread(() -> status.set(commandLine.execute(
            "--socket", socket.toString(), "--domains", "2")));
        daemon.start();
        try
        {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(socket));
            final ProcessBuilder builder = new ProcessBuilder(ls.toString(), "-p", "/local/domain");
            builder.environment().put("XENSTORED_PATH", socket.toString());
            final Process process = builder.start();
            final String listing = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue());
            assertTrue(listing.contains("1 = \"\"") && listing.contains("(n1)"), listing);
            assertTrue(listing.contains("2 = \"\"") && listing.contains("(n2)"), listing);
        }
        finally
        {
            command.stop();
            daemon.join(20_000);
        }
        assertEquals(0, status.get());
        assertFalse(Files.exists(socket));
    }
}
