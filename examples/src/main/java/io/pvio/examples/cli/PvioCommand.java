package io.pvio.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code pvio} command line: {@code java -jar examples/target/pvio.jar <subcommand> ...}.
 * Each subcommand is a small class of its own; this one only wires them together.
 */
@Command(
    name = "pvio",
    mixinStandardHelpOptions = true,
    versionProvider = PvioCommand.Version.class,
    description = "Xen-style paravirtual split-driver I/O in Java: rings, grants, event channels, drivers.",
    subcommands = {
        DemoCommand.class,
        RingPeerCommand.class,
        XenstoredCommand.class,
        BenchCommand.class,
        CommandLine.HelpCommand.class
    })
public final class PvioCommand implements Runnable
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args)
    {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit status (used by tests, which must not call System.exit). */
    public static int execute(final String... args)
    {
        return new CommandLine(new PvioCommand()).execute(args);
    }

    @Override
    public void run()
    {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String version = PvioCommand.class.getPackage().getImplementationVersion();
            return new String[] {"pvio " + (version == null ? "development build" : version)};
        }
    }
}
