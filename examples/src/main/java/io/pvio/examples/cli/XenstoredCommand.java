package io.pvio.examples.cli;

import io.pvio.hypervisor.xenstore.XenStore;
import io.pvio.hypervisor.xenstore.XenStoreClient;
import io.pvio.hypervisor.xenstore.XsPermissions;
import io.pvio.hypervisor.xenstore.XsQuota;
import io.pvio.hypervisor.xenstore.XsSocketServer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code pvio xenstored}: pvio's XenStore on its own, on a Unix-domain socket, for tool developers. Control only:
 * the store is {@link XenStore}, the socket {@link XsSocketServer}.
 */
@Command(
    name = "xenstored",
    mixinStandardHelpOptions = true,
    versionProvider = PvioCommand.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Runs pvio's XenStore alone, serving the xs_wire protocol on a Unix-domain socket, so that Xen's own " +
            "clients work against it. Socket clients act as dom0. Stops on SIGINT/SIGTERM (or after --duration-s).",
        "",
        "Example:",
        "  pvio xenstored --socket /tmp/xs.sock &",
        "  export XENSTORED_PATH=/tmp/xs.sock",
        "  xenstore-write /local/domain/1/name guest1; xenstore-ls /local; xenstore-watch /local",
        ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
        "0:stopped by a signal or after --duration-s",
        "2:bad arguments or the socket could not be bound"
    })
public final class XenstoredCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--socket", required = true, paramLabel = "PATH",
        description = "The socket to create (a stale socket file there is replaced; removed on exit).")
    private Path socket;

    @Option(names = "--max-clients", defaultValue = "64", paramLabel = "N",
        description = "Simultaneous socket clients; more are refused (default: ${DEFAULT-VALUE}).")
    private int maxClients;

    @Option(names = "--duration-s", defaultValue = "0", paramLabel = "S",
        description = "Stop after S seconds; 0 (the default) runs until a signal.")
    private long durationS;

    @Option(names = "--domains", defaultValue = "0", paramLabel = "N",
        description = "Pre-create /local/domain/1..N, each owned by its domain (default: ${DEFAULT-VALUE}).")
    private int domains;

    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Stops a running {@link #call()} as a signal would (for tests and embedding). */
    void stop()
    {
        stopped.countDown();
    }

    @Override
    public Integer call()
    {
        final PrintWriter err = spec.commandLine().getErr();
        if (maxClients < 1 || durationS < 0 || domains < 0 || domains > 0x7FEF)
        {
            err.println("xenstored: --max-clients >= 1, --duration-s >= 0, 0 <= --domains < 32752");
            return 2;
        }
        final XenStore store = new XenStore(XsQuota.defaults());
        createDomains(store);
        final XsSocketServer server;
        try
        {
            server = XsSocketServer.bind(store, socket, maxClients);
        }
        catch (final RuntimeException ex)
        {
            err.println("xenstored: " + ex.getMessage() + (ex.getCause() == null ? "" : ": " + ex.getCause()));
            return 2;
        }
        final AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(10, 10, 1_000, 1_000_000),
            Throwable::printStackTrace, null, server);
        final Thread onSignal = new Thread(() ->
        {
            runner.close();
            stopped.countDown();
        }, "xenstored-shutdown");
        Runtime.getRuntime().addShutdownHook(onSignal);
        AgentRunner.startOnThread(runner);
        spec.commandLine().getOut().println("xenstored: serving " + socket);
        spec.commandLine().getOut().flush();
        try
        {
            if (durationS > 0)
            {
                stopped.await(durationS, TimeUnit.SECONDS);
            }
            else
            {
                stopped.await();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        runner.close();
        try
        {
            Runtime.getRuntime().removeShutdownHook(onSignal);
        }
        catch (final IllegalStateException alreadyShuttingDown)
        {
            // the hook is running: it closes the runner itself
        }
        return 0;
    }

    private void createDomains(final XenStore store)
    {
        try (XenStoreClient dom0 = new XenStoreClient(store, 0, true))
        {
            for (int domid = 1; domid <= domains; domid++)
            {
                final String home = store.domainPath(domid);
                dom0.mkdir(0, home);
                dom0.setPerms(0, home, XsPermissions.of(domid, 'n'));
            }
        }
    }
}
