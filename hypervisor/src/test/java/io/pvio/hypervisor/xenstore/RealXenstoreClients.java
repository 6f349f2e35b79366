package io.pvio.hypervisor.xenstore;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's real XenStore clients ({@code xenstore-utils}) against a socket through {@code XENSTORED_PATH}.
 * {@link #require()} skips the calling test when they are missing, or fails it under {@code CI=true}.
 */
final class RealXenstoreClients
{
    static final Path BIN = Path.of("/usr/bin");
    private static final String[] TOOLS = {"xenstore-ls", "xenstore-read", "xenstore-write", "xenstore-rm",
        "xenstore-chmod", "xenstore-list", "xenstore-exists", "xenstore-watch"};
    private static final long TIMEOUT_S = 20;

    record Result(int exitCode, String stdout, String stderr)
    {
    }

    private final Path socket;

    RealXenstoreClients(final Path socket)
    {
        this.socket = socket;
    }

    static void require()
    {
        for (final String tool : TOOLS)
        {
            if (!Files.isExecutable(BIN.resolve(tool)))
            {
                final String message = BIN.resolve(tool) + " not found (install with: apt-get install -y xenstore-utils)";
                if ("true".equalsIgnoreCase(System.getenv("CI")))
                {
                    Assertions.fail("CI=true and the real XenStore clients are missing: " + message);
                }
                Assumptions.abort("real-client test skipped: " + message);
            }
        }
    }

    /** Starts {@code tool args...} with {@code XENSTORED_PATH} set. */
    Process start(final String tool, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(BIN.resolve(tool).toString());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("XENSTORED_PATH", socket.toString());
        builder.environment().remove("XENSTORE_DOMAIN_INTERFACE");
        try
        {
            return builder.start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Runs {@code tool args...} to completion. */
    Result run(final String tool, final String... args)
    {
        final Process process = start(tool, args);
        try
        {
            process.getOutputStream().close();
            final byte[] out = process.getInputStream().readAllBytes();
            final byte[] err = process.getErrorStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                Assertions.fail(tool + " did not finish");
            }
            return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Runs and asserts success; returns stdout. */
    String ok(final String tool, final String... args)
    {
        final Result result = run(tool, args);
        Assertions.assertEquals(0, result.exitCode(), () -> tool + " " + List.of(args) + " failed: " + result.stderr());
        return result.stdout();
    }
}
