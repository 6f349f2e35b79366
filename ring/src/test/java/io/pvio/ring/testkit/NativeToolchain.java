package io.pvio.ring.testkit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Compiles the C programs that pvio's interop and layout tests run against Xen's own headers (Debian's
 * {@code libxen-dev}, in {@code /usr/include/xen}).
 * <p>
 * Where gcc or the headers are missing, {@link #requireToolchain()} skips the calling test with a message saying
 * what to install; under {@code CI=true} it fails instead, so CI can never pass by silently skipping interop.
 * C sources live as test resources under {@code c/} so that other modules' tests can use them from the test-jar.
 */
public final class NativeToolchain
{
    /** Where libxen-dev installs Xen's public headers. */
    public static final Path XEN_INCLUDE = Paths.get("/usr/include/xen");
    private static final String INSTALL_HINT = "apt-get install -y gcc libxen-dev";
    private static final long COMPILE_TIMEOUT_S = 120;

    private NativeToolchain()
    {
    }

    /** Skips (or, under {@code CI=true}, fails) the calling test unless gcc and Xen's headers are present. */
    public static void requireToolchain()
    {
        final String missing = whatIsMissing();
        if (missing != null)
        {
            final String message = missing + " (install with: " + INSTALL_HINT + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI")))
            {
                Assertions.fail("CI=true and the native interop toolchain is missing: " + message);
            }
            Assumptions.abort("native interop test skipped: " + message);
        }
    }

    /** A description of the missing tool, or {@code null} when everything is present. */
    public static String whatIsMissing()
    {
        if (!Files.isRegularFile(XEN_INCLUDE.resolve("io/ring.h")) ||
            !Files.isRegularFile(XEN_INCLUDE.resolve("io/blkif.h")))
        {
            return "Xen public headers not found in " + XEN_INCLUDE;
        }
        try
        {
            final Process gcc = new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start();
            gcc.getInputStream().readAllBytes();
            if (!gcc.waitFor(30, TimeUnit.SECONDS) || gcc.exitValue() != 0)
            {
                return "gcc --version failed";
            }
        }
        catch (final IOException ex)
        {
            return "gcc not found on PATH";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "interrupted while looking for gcc";
        }
        return null;
    }

    /**
     * Compiles the test resource {@code c/<sourceName>} with gcc into {@code outputDir} and returns the executable.
     * Warnings are errors: the C side is held to the same standard as the Java side.
     *
     * @param extraFlags additional gcc flags, e.g. {@code -m32}.
     */
    public static Path compileResource(final String sourceName, final Path outputDir, final String... extraFlags)
    {
        requireToolchain();
        try
        {
            Files.createDirectories(outputDir);
            final Path source = outputDir.resolve(sourceName);
            try (InputStream in = NativeToolchain.class.getClassLoader().getResourceAsStream("c/" + sourceName))
            {
                Assertions.assertNotNull(in, "test resource c/" + sourceName + " not found");
                Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
            }
            final String baseName = sourceName.endsWith(".c") ?
                sourceName.substring(0, sourceName.length() - 2) : sourceName;
            final Path executable = outputDir.resolve(baseName + String.join("", extraFlags).replace('-', '_'));
            final List<String> command = new ArrayList<>(List.of(
                "gcc", "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-I", XEN_INCLUDE.getParent().toString()));
            command.addAll(List.of(extraFlags));
            command.addAll(List.of("-o", executable.toString(), source.toString()));
            final Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!gcc.waitFor(COMPILE_TIMEOUT_S, TimeUnit.SECONDS))
            {
                gcc.destroyForcibly();
                Assertions.fail("gcc timed out compiling " + sourceName);
            }
            Assertions.assertEquals(0, gcc.exitValue(), () -> "gcc failed on " + sourceName + ":\n" + output);
            return executable;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling " + sourceName, ex);
        }
    }
}
