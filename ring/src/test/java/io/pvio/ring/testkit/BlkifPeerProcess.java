package io.pvio.ring.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The C {@code blkif_peer} (test resource {@code c/blkif_peer.c}: one end of a blkif ring driven only by Xen's
 * {@code ring.h}/{@code blkif.h} macros) running as a child process of a test. Its stdout and stderr go to files,
 * so a chatty or stuck child can never block on a full pipe; {@link #awaitExit} bounds every wait and kills a child
 * that overruns it.
 * <pre>{@code
 * Path exe = BlkifPeerProcess.compile(dir);
 * try (BlkifPeerProcess back = BlkifPeerProcess.start(exe, dir, "back", file.toString(), "1000")) {
 *     ...run the Java front end...
 *     BlkifPeerProcess.Result result = back.awaitExit(Duration.ofSeconds(30));
 *     assertEquals(0, result.exitCode(), result::describe);
 * }
 * }</pre>
 */
public final class BlkifPeerProcess implements AutoCloseable
{
    /** The C source, a test resource under {@code c/}. */
    public static final String SOURCE_NAME = "blkif_peer.c";

    private final List<String> command;
    private final Process process;
    private final Path stdoutFile;
    private final Path stderrFile;

    private BlkifPeerProcess(final List<String> command, final Process process, final Path stdoutFile,
        final Path stderrFile)
    {
        this.command = command;
        this.process = process;
        this.stdoutFile = stdoutFile;
        this.stderrFile = stderrFile;
    }

    /** Compiles {@code blkif_peer} into {@code outputDir} (skipping the test when gcc or Xen's headers are missing). */
    public static Path compile(final Path outputDir)
    {
        return NativeToolchain.compileResource(SOURCE_NAME, outputDir);
    }

    /**
     * Starts {@code executable} with {@code args}, e.g. {@code "back", file, "20000", "--doorbell"}.
     *
     * @param logDir where the child's stdout and stderr are collected (unique file names).
     */
    public static BlkifPeerProcess start(final Path executable, final Path logDir, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(List.of(args));
        try
        {
            Files.createDirectories(logDir);
            final Path stdoutFile = Files.createTempFile(logDir, "blkif_peer-", ".out");
            final Path stderrFile = Files.createTempFile(logDir, "blkif_peer-", ".err");
            final Process process = new ProcessBuilder(command)
                .redirectOutput(stdoutFile.toFile())
                .redirectError(stderrFile.toFile())
                .start();
            return new BlkifPeerProcess(command, process, stdoutFile, stderrFile);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + command, ex);
        }
    }

    /** Runs {@code blkif_peer layout} and returns its one line of {@code key=value} figures from Xen's headers. */
    public static Result layout(final Path executable, final Path logDir)
    {
        try (BlkifPeerProcess peer = start(executable, logDir, "layout"))
        {
            return peer.awaitExit(Duration.ofSeconds(30));
        }
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * Waits for the child to exit, at most {@code timeout}; a child still running then is killed and reported as
     * {@link Result#timedOut()}. Never hangs.
     */
    public Result awaitExit(final Duration timeout)
    {
        boolean timedOut = false;
        try
        {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS))
            {
                timedOut = true;
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + command, ex);
        }
        final int exitCode = process.isAlive() ? -1 : process.exitValue();
        final Result result = new Result(
            String.join(" ", command), timedOut, exitCode, read(stdoutFile), read(stderrFile));
        deleteQuietly(stdoutFile);
        deleteQuietly(stderrFile);
        return result;
    }

    /** Kills the child if it is still running (test clean-up after a failure). */
    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        deleteQuietly(stdoutFile);
        deleteQuietly(stderrFile);
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignored)
        {
            // a log file left behind in the test's own directory is removed with it.
        }
    }

    /**
     * How a {@code blkif_peer} run ended.
     *
     * @param command  the command line, for messages.
     * @param timedOut true when the child overran its wait and was killed.
     * @param exitCode the exit status (0 all correct, 1 protocol error, 2 usage, 124 watchdog), -1 if unknown.
     * @param stdout   everything it printed on stdout; the last line holds its {@code key=value} counts.
     * @param stderr   its error messages.
     */
    public record Result(String command, boolean timedOut, int exitCode, String stdout, String stderr)
    {
        /**
         * The value of {@code key=N} on the last line of stdout, e.g. {@code count("requests")}.
         *
         * @throws AssertionError if the line has no such figure.
         */
        public long count(final String key)
        {
            final String[] lines = stdout.strip().split("\n");
            final String prefix = key + "=";
            for (final String token : lines[lines.length - 1].split("\\s+"))
            {
                if (token.startsWith(prefix))
                {
                    return Long.parseLong(token.substring(prefix.length()));
                }
            }
            throw new AssertionError("no " + key + "=N in the output of " + describe());
        }

        /** Everything about the run, for assertion messages. */
        public String describe()
        {
            return command + (timedOut ? " (killed: timed out)" : "") + " exited " + exitCode +
                "\n  stdout: " + stdout.strip() + "\n  stderr: " + stderr.strip();
        }
    }
}
