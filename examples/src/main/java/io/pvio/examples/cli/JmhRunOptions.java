package io.pvio.examples.cli;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The JMH run options every {@code pvio bench} suite shares (a picocli mixin). The defaults are the real run, at least
 * 5 forks of 2 warm-up and 3 measured one-second iterations; {@code --quick} is a smoke run; an explicit option wins
 * over both.
 */
public final class JmhRunOptions
{
    private static final int DEFAULT_FORKS = 5;
    private static final int DEFAULT_WARMUP_ITERATIONS = 2;
    private static final int DEFAULT_ITERATIONS = 3;
    private static final int DEFAULT_TIME_MS = 1000;
    private static final int QUICK_FORKS = 1;
    private static final int QUICK_WARMUP_ITERATIONS = 1;
    private static final int QUICK_ITERATIONS = 1;
    private static final int QUICK_TIME_MS = 300;

    @Option(names = "--forks", paramLabel = "N",
        description = "JVM forks per configuration (default " + DEFAULT_FORKS + "; 1 with --quick).")
    private Integer forks;

    @Option(names = "--warmup-iterations", paramLabel = "N",
        description = "Warm-up iterations per fork (default " + DEFAULT_WARMUP_ITERATIONS + "; 1 with --quick).")
    private Integer warmupIterations;

    @Option(names = "--iterations", paramLabel = "N",
        description = "Measured iterations per fork (default " + DEFAULT_ITERATIONS + "; 1 with --quick).")
    private Integer iterations;

    @Option(names = "--time-ms", paramLabel = "N",
        description = "Length of each iteration in milliseconds (default " + DEFAULT_TIME_MS + "; " + QUICK_TIME_MS +
            " with --quick).")
    private Integer timeMs;

    @Option(names = "--quick", description = "Smoke run: 1 fork, 1 warm-up and 1 measured iteration of 300 ms.")
    private boolean quick;

    @Option(names = "--from-json", paramLabel = "FILE",
        description = "Do not run JMH: write the report from an existing JMH JSON result.")
    private Path fromJson;

    public int forks()
    {
        return choose(forks, QUICK_FORKS, DEFAULT_FORKS);
    }

    public int warmupIterations()
    {
        return choose(warmupIterations, QUICK_WARMUP_ITERATIONS, DEFAULT_WARMUP_ITERATIONS);
    }

    public int iterations()
    {
        return choose(iterations, QUICK_ITERATIONS, DEFAULT_ITERATIONS);
    }

    public int timeMs()
    {
        return choose(timeMs, QUICK_TIME_MS, DEFAULT_TIME_MS);
    }

    /**
     * With {@code --from-json}, puts that result at {@code jsonFile} (unless it is that file) and returns true: the
     * caller writes the report without running JMH.
     */
    public boolean useExistingResult(final Path jsonFile) throws IOException
    {
        if (fromJson == null)
        {
            return false;
        }
        if (!fromJson.toAbsolutePath().normalize().equals(jsonFile.toAbsolutePath().normalize()))
        {
            Files.copy(fromJson, jsonFile, StandardCopyOption.REPLACE_EXISTING);
        }
        return true;
    }

    /** One line saying what is about to run and how long the whole suite takes at these settings. */
    public void printPlan(final PrintWriter console, final String command, final double fullSuiteSeconds)
    {
        console.printf(Locale.ROOT, "%s: %d fork(s) x (%d warm-up + %d measured) x %d ms; " +
            "the full suite takes about %.1f min%n", command, forks(), warmupIterations(), iterations(), timeMs(),
            fullSuiteSeconds / 60);
        console.flush();
    }

    private int choose(final Integer explicit, final int quickValue, final int defaultValue)
    {
        return explicit != null ? explicit : quick ? quickValue : defaultValue;
    }
}
