package io.pvio.examples.cli;

import io.pvio.examples.demo.block.BlockDemo;
import io.pvio.examples.demo.block.BlockDemoSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code pvio demo}: the main demo, Xen's paravirtual block device end to end ({@link BlockDemo}). The shared-ring
 * demo that came before it is {@code pvio demo ring} ({@link RingDemoCommand}).
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = PvioCommand.Version.class,
    subcommands = {RingDemoCommand.class},
    description = {
        "Xen's paravirtual block device end to end, narrated: a guest writes, flushes, reads back and verifies a " +
            "disk that dom0 serves.",
        "It boots a hypervisor with dom0 running blkback and a guest running blkfront, attaches a disk image to the guest through XenStore and tells the xenbus " +
            "handshake as it happens. The guest writes a recognisable pattern, flushes, reads everything back and " +
            "verifies it; the first requests are told step by step (ring slots, kicks, events delivered through " +
            "the pending bitmask, grant maps and copies, disk I/O). The demo also reads the image file itself after " +
            "the flush, then detaches the disk, shuts the machine down and prints the counts.",
        "Exit status: 0 when everything was verified, 1 when something was wrong, 2 for bad arguments.",
        "`pvio demo ring` runs the earlier shared-ring demo (two threads, one ring, doorbells)."
    })
public final class DemoCommand implements Callable<Integer>
{
    @Option(names = "--requests", defaultValue = "256",
        description = "Writes to make, each read back by one read (default ${DEFAULT-VALUE}: 20.8 MiB).")
    private int requests;

    @Option(names = "--size-mib", defaultValue = "64",
        description = "Size of the disk image in MiB (default ${DEFAULT-VALUE}); the requests must fit.")
    private int sizeMib;

    @Option(names = "--image", description = "Create the disk image here (must not exist) and keep it afterwards.")
    private Path image;

    @Option(names = "--narrate", defaultValue = "3",
        description = "Writes and reads told step by step, the first of each (default ${DEFAULT-VALUE}).")
    private int narrate;

    @Option(names = "--quiet", description = "Print only the summary and the verdict.")
    private boolean quiet;

    @Option(names = "--timeout-seconds", defaultValue = "60",
        description = "Give up after this long (default ${DEFAULT-VALUE}).")
    private long timeoutSeconds;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final BlockDemoSettings settings;
        try
        {
            // quiet tells nothing step by step: every request goes in waves
            settings = new BlockDemoSettings(requests, sizeMib, image, quiet ? 0 : narrate, quiet, timeoutSeconds);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        final PrintWriter out = spec.commandLine().getOut();
        return new BlockDemo(settings, out).run().verified() ? 0 : 1;
    }
}
