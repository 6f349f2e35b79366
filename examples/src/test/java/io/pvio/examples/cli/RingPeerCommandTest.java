package io.pvio.examples.cli;

import io.pvio.examples.ringpeer.RingPeerFile;
import io.pvio.ring.testkit.BlkifPeerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pvio ring-peer} as a user runs it: against the C {@code blkif_peer} (Xen's own ring macros) both ways,
 * against a second ring-peer, with a hostile C back end, and with bad arguments. All in polling mode: no event
 * channel crosses processes. Every run is bounded by the command's and the C program's own timeouts.
 */
class RingPeerCommandTest
{
    private static final int COUNT = 5_000;
    private static final String TIMEOUT_SECONDS = "30";
    private static final Duration PROCESS_DEADLINE = Duration.ofSeconds(45);

    private static Path cPeerExecutable;
    private Path workDir;
    private Path ringFile;

    @BeforeEach
    void createWorkDir() throws IOException
    {
        final Path shm = Paths.get("/dev/shm");
        workDir = Files.createTempDirectory(Files.isDirectory(shm) ? shm : Paths.get("target"), "pvio-ring-peer-");
        ringFile = workDir.resolve("ring");
    }

    @AfterEach
    void deleteWorkDir() throws IOException
    {
        try (Stream<Path> files = Files.walk(workDir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Test
    void frontEndAgainstXensRingMacros() throws Exception
    {
        final Path cPeer = compileCPeer();
        final CompletableFuture<Run> front = runAsync(
            "--role", "front", "--file", ringFile.toString(), "--count", Integer.toString(COUNT), "--init");
        awaitRingFile(front);
        try (BlkifPeerProcess cBack = BlkifPeerProcess.start(cPeer, workDir,
            "back", ringFile.toString(), Integer.toString(COUNT), "--timeout-seconds", TIMEOUT_SECONDS))
        {
            final Run run = front.get(PROCESS_DEADLINE.toSeconds(), TimeUnit.SECONDS);
            final BlkifPeerProcess.Result c = cBack.awaitExit(PROCESS_DEADLINE);
            System.out.println(run.out().strip() + " | " + c.stdout().strip());

            assertEquals(0, run.exitCode(), run::describe);
            assertTrue(run.out().contains(COUNT + " of " + COUNT + " round trips correct"), run::describe);
            // the C back end checked every field of every request against the derivation
            assertEquals(0, c.exitCode(), c::describe);
            assertEquals(COUNT, c.count("requests"), c::describe);
            assertEquals(0, c.count("errors"), c::describe);
        }
    }

    @Test
    void backEndAgainstXensRingMacros() throws Exception
    {
        final Path cPeer = compileCPeer();
        try (BlkifPeerProcess cFront = BlkifPeerProcess.start(cPeer, workDir,
            "front", ringFile.toString(), Integer.toString(COUNT), "--init", "--timeout-seconds", TIMEOUT_SECONDS))
        {
            await().atMost(PROCESS_DEADLINE).until(() -> Files.exists(ringFile) || !cFront.isAlive());

            final Run run = run("--role", "back", "--file", ringFile.toString(), "--count", Integer.toString(COUNT));
            final BlkifPeerProcess.Result c = cFront.awaitExit(PROCESS_DEADLINE);
            System.out.println(run.out().strip() + " | " + c.stdout().strip());

            assertEquals(0, run.exitCode(), run::describe);
            assertTrue(run.out().contains(COUNT + " of " + COUNT + " requests served OKAY"), run::describe);
            // the C front end checked every response: id outstanding, operation echoed, OKAY, padding zero
            assertEquals(0, c.exitCode(), c::describe);
            assertEquals(COUNT, c.count("responses"), c::describe);
        }
    }

    @Test
    void twoRingPeersWithTheBackEndCreatingTheRing() throws Exception
    {
        final CompletableFuture<Run> back = runAsync(
            "--role", "back", "--file", ringFile.toString(), "--count", Integer.toString(COUNT), "--init");
        awaitRingFile(back);

        final Run front = run("--role", "front", "--file", ringFile.toString(), "--count", Integer.toString(COUNT));
        final Run backRun = back.get(PROCESS_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        System.out.println(front.out().strip() + " | " + backRun.out().strip());

        assertEquals(0, front.exitCode(), front::describe);
        assertEquals(0, backRun.exitCode(), backRun::describe);
        assertTrue(backRun.out().contains(COUNT + " of " + COUNT + " requests served OKAY"), backRun::describe);
    }

    @Test
    void frontEndRejectsResponsesWithIdsItNeverIssued() throws Exception
    {
        final Path cPeer = compileCPeer();
        try (BlkifPeerProcess cBack = BlkifPeerProcess.start(cPeer, workDir, "back", ringFile.toString(),
            Integer.toString(COUNT), "--init", "--corrupt-every", "50", "--timeout-seconds", "10"))
        {
            await().atMost(PROCESS_DEADLINE).until(() -> Files.exists(ringFile) || !cBack.isAlive());

            final Run run = run("--role", "front", "--file", ringFile.toString(), "--count", Integer.toString(COUNT));

            assertEquals(1, run.exitCode(), run::describe);
            assertTrue(run.err().contains("FAILED: response 50 of " + COUNT + " has id 0x"), run::describe);
            assertTrue(run.err().contains("never issued or was already answered"), run::describe);
            assertEquals("", run.out(), run::describe);
        }
    }

    @Test
    void aMissingPeerEndsInATimeoutNotAHang()
    {
        final Run run = run("--role", "front", "--file", ringFile.toString(), "--count", "10", "--init",
            "--timeout-seconds", "1");

        assertEquals(1, run.exitCode(), run::describe);
        assertTrue(run.err().contains("timed out after 1 s with 10 of 10 requests sent, 0 responses checked"),
            run::describe);
    }

    @Test
    void missingFileWithoutInitIsAUsageError()
    {
        final Run run = run("--role", "back", "--file", ringFile.toString(), "--count", "10");

        assertEquals(2, run.exitCode(), run::describe);
        assertTrue(run.err().contains("does not exist"), run::describe);
        assertTrue(run.err().contains("Usage:"), run::describe);
    }

    @Test
    void wronglySizedFileIsAUsageError() throws IOException
    {
        Files.write(ringFile, new byte[2 * RingPeerFile.FILE_LENGTH_BYTES]);

        final Run run = run("--role", "front", "--file", ringFile.toString(), "--count", "10");

        assertEquals(2, run.exitCode(), run::describe);
        assertTrue(run.err().contains("is 8192 bytes; a ring-peer file is exactly 4096"), run::describe);
    }

    @Test
    void uninitialisedOrUsedRingIsAUsageError() throws IOException
    {
        Files.write(ringFile, new byte[RingPeerFile.FILE_LENGTH_BYTES]);
        final Run zeroed = run("--role", "back", "--file", ringFile.toString(), "--count", "10");
        assertEquals(2, zeroed.exitCode(), zeroed::describe);
        assertTrue(zeroed.err().contains("does not hold an initialised ring"), zeroed::describe);

        Files.delete(ringFile);
        final Run first = run("--role", "front", "--file", ringFile.toString(), "--count", "3", "--init",
            "--timeout-seconds", "1");
        assertEquals(1, first.exitCode(), first::describe); // no back end: requests left behind in the ring
        final Run reuse = run("--role", "front", "--file", ringFile.toString(), "--count", "3");
        assertEquals(2, reuse.exitCode(), reuse::describe);
        assertTrue(reuse.err().contains("already used by a previous run (req_prod 3, rsp_prod 0)"), reuse::describe);
    }

    @Test
    void initRefusesAnExistingFile() throws IOException
    {
        Files.write(ringFile, new byte[RingPeerFile.FILE_LENGTH_BYTES]);

        final Run run = run("--role", "front", "--file", ringFile.toString(), "--count", "10", "--init");

        assertEquals(2, run.exitCode(), run::describe);
        assertTrue(run.err().contains("already exists"), run::describe);
    }

    @Test
    void nonPositiveCountIsAUsageError()
    {
        for (final String count : new String[] {"0", "-5"})
        {
            final Run run = run("--role", "front", "--file", ringFile.toString(), "--count", count, "--init");
            assertEquals(2, run.exitCode(), run::describe);
            assertTrue(run.err().contains("--count must be at least 1"), run::describe);
            assertTrue(Files.notExists(ringFile), "nothing is created before the arguments check out");
        }
    }

    @Test
    void unknownRoleIsAUsageError()
    {
        final Run run = run("--role", "middle", "--file", ringFile.toString(), "--count", "10", "--init");

        assertEquals(2, run.exitCode(), run::describe);
        assertTrue(run.err().contains("role must be 'front' or 'back', not 'middle'"), run::describe);
    }

    @Test
    void missingRequiredOptionIsAUsageError()
    {
        final Run run = run("--role", "front", "--count", "10");

        assertEquals(2, run.exitCode(), run::describe);
        assertTrue(run.err().contains("Missing required option: '--file=FILE'"), run::describe);
    }

    @Test
    void helpExplainsTheRolesInitAndExitStatus()
    {
        final Run run = run("--help");

        assertEquals(0, run.exitCode(), run::describe);
        final String help = run.out().replaceAll("\\s+", " "); // independent of where lines wrap
        for (final String expected : new String[] {"--role=front|back", "--file=FILE", "--count=N", "--init",
            "--timeout-seconds=SECONDS", "Exactly one of the two peers passes --init", "Default: 30", "Exit status:",
            "2 bad arguments or an unusable FILE"})
        {
            assertTrue(help.contains(expected), () -> "help lacks '" + expected + "':\n" + run.out());
        }
    }

    /** Compiles the C peer once per run; skips (fails under CI=true) the calling test without gcc or Xen's headers. */
    private static Path compileCPeer()
    {
        if (cPeerExecutable == null)
        {
            cPeerExecutable = BlkifPeerProcess.compile(Paths.get("target", "native-ring-peer"));
        }
        return cPeerExecutable;
    }

    private void awaitRingFile(final CompletableFuture<Run> creator)
    {
        await().atMost(PROCESS_DEADLINE).until(() -> Files.exists(ringFile) || creator.isDone());
        assertTrue(Files.exists(ringFile), () -> "the --init peer did not create the ring: " + creator.join().describe());
    }

    private static CompletableFuture<Run> runAsync(final String... args)
    {
        return CompletableFuture.supplyAsync(() -> run(args));
    }

    /** Runs {@code pvio ring-peer args...} in-process, as picocli would from the command line. */
    private static Run run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = new CommandLine(new RingPeerCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final int exitCode = commandLine.execute(args);
        return new Run(String.join(" ", args), exitCode, out.toString(), err.toString());
    }

    private record Run(String args, int exitCode, String out, String err)
    {
        String describe()
        {
            return "ring-peer " + args + " exited " + exitCode + "\n  out: " + out.strip() + "\n  err: " + err.strip();
        }
    }
}
