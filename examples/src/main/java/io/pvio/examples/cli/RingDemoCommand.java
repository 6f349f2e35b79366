package io.pvio.examples.cli;

import io.pvio.examples.demo.RingDemo;
import io.pvio.examples.demo.RingDemoSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code pvio demo ring}: the shared-ring demo (two threads, one blkif ring in a memory-mapped file, doorbells). */
@Command(
    name = "ring",
    mixinStandardHelpOptions = true,
    versionProvider = PvioCommand.Version.class,
    description = {
        "A guest front end and a dom0 back end, on two threads, share one Xen blkif ring in a memory-mapped file.",
        "The front end sends read/write requests in batches; the back end copies each once, validates it and",
        "answers; each side sleeps after Xen's final check and is kicked only when the event index asks.",
        "Narrates the first batches, then prints progress and a summary (kicks per 1,000 requests, pairs/s).",
        "Exit status 0 when every round trip was correct."
    })
public final class RingDemoCommand implements Callable<Integer>
{
    @Option(names = "--requests", defaultValue = "200000", description = "Round trips to make (default ${DEFAULT-VALUE}).")
    private long requests;

    @Option(names = "--ring-page-order", defaultValue = "0",
        description = "Ring of 2^order 4 KiB pages, 0..4 (default ${DEFAULT-VALUE}: 32 slots).")
    private int ringPageOrder;

    @Option(names = "--no-suppression", description = "Kick the peer after every batch instead of Xen's event-index rule.")
    private boolean noSuppression;

    @Option(names = "--narrate", defaultValue = "6", description = "Batches narrated per side (default ${DEFAULT-VALUE}).")
    private int narrate;

    @Option(names = "--ring-file", description = "Create the ring in this file (must not exist) and keep it afterwards.")
    private Path ringFile;

    @Option(names = "--timeout-seconds", defaultValue = "60", description = "Give up after this long (default ${DEFAULT-VALUE}).")
    private long timeoutSeconds;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final RingDemoSettings settings;
        try
        {
            settings = new RingDemoSettings(requests, ringPageOrder, !noSuppression, narrate, ringFile, timeoutSeconds);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        if (ringFile != null && java.nio.file.Files.exists(ringFile))
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ring-file " + ringFile + " already exists");
        }
        return new RingDemo(settings, System.out).run().correct() ? 0 : 1;
    }
}
