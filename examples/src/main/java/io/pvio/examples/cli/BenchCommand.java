package io.pvio.examples.cli;

import io.pvio.examples.bench.block.BlockBenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code pvio bench}: the benchmark suites, one subcommand each ({@code ring}, {@code hypervisor}, {@code block}).
 * Also runnable on its own: {@code java -cp pvio.jar io.pvio.examples.cli.BenchCommand ring --quick}.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Run a benchmark suite and write its report.",
    subcommands = {
        BenchRingCommand.class,
        BenchHypervisorCommand.class,
        BlockBenchCommand.class,
        CommandLine.HelpCommand.class
    })
public final class BenchCommand implements Runnable
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
