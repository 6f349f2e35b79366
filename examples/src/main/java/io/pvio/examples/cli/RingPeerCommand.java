package io.pvio.examples.cli;

import io.pvio.examples.ringpeer.RingPeer;
import io.pvio.examples.ringpeer.RingPeerBack;
import io.pvio.examples.ringpeer.RingPeerFile;
import io.pvio.examples.ringpeer.RingPeerFront;
import io.pvio.examples.ringpeer.RingPeerRole;
import io.pvio.examples.ringpeer.RingPeerRunner;
import io.pvio.ring.BackRing;
import io.pvio.ring.FrontRing;
import io.pvio.ring.SharedMemory;
import io.pvio.ring.SharedRing;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code pvio ring-peer}: one end of a blkif ring in a shared file, to check another implementation (Xen's C
 * macros, a second pvio) against pvio's ring, or the other way round. Control only: argument checks, the ring file
 * ({@link RingPeerFile}) and the exit status; the data path is {@link RingPeerFront} / {@link RingPeerBack}.
 */
@Command(
    name = "ring-peer",
    mixinStandardHelpOptions = true,
    versionProvider = PvioCommand.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Plays one end of a one-page blkif ring (Xen's x86_64 ABI, 32 entries) held in FILE, which another " +
            "process maps as the other end: a second ring-peer, or any implementation of Xen's io/ring.h and " +
            "io/blkif.h. Both ends poll; no event channel crosses processes.",
        "",
        "front: sends N well-formed READ and WRITE requests with distinct ids (every field derived from the id), " +
            "as many in flight as the ring holds, and checks every response: id issued and outstanding, " +
            "operation echoed, status OKAY.",
        "back:  copies each request out of the ring once, validates the copy, answers OKAY echoing id and " +
            "operation (ERROR, counted, for an invalid request), and exits after serving exactly N.",
        "",
        "Start the peer that passes --init first; start the other once FILE exists. Example:",
        "  pvio ring-peer --role front --file /dev/shm/ring --count 100000 --init &",
        "  until [ -e /dev/shm/ring ]; do sleep 0.1; done",
        "  pvio ring-peer --role back  --file /dev/shm/ring --count 100000",
        ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
        "0:all N round trips were correct (a one-line summary is printed)",
        "1:a protocol violation, invalid requests, or the timeout (the reason is printed on stderr)",
        "2:bad arguments or an unusable FILE"
    })
public final class RingPeerCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--role", required = true, paramLabel = "front|back", converter = RoleConverter.class,
        description = "Which end of the ring to play: front (sends requests) or back (answers them).")
    private RingPeerRole role;

    @Option(names = "--file", required = true, paramLabel = "FILE",
        description = "The ring file, exactly one 4096-byte page, e.g. in /dev/shm. Must exist unless --init.")
    private Path file;

    @Option(names = "--count", required = true, paramLabel = "N",
        description = "Round trips to make (front) or requests to serve (back); at least 1.")
    private long count;

    @Option(names = "--init",
        description = {
            "Create FILE (it must not exist yet) and initialise the ring in it as a Xen front end does " +
                "(SHARED_RING_INIT: producers 0, events 1) before it appears under its name, so the other peer " +
                "never sees a half-made ring. Exactly one of the two peers passes --init: normally the front end, " +
                "as in Xen; a back end that starts first may create the ring instead.",
            "Without --init FILE must exist and hold an initialised, unused ring; both peers attach at index 0."
        })
    private boolean init;

    @Option(names = "--timeout-seconds", defaultValue = "30", paramLabel = "SECONDS",
        description = "Give up (exit 1) if the exchange is not complete after this long, so a dead peer cannot " +
            "hang the command. Default: ${DEFAULT-VALUE}.")
    private long timeoutSeconds;

    @Override
    public Integer call()
    {
        checkArguments();
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final String name = "ring-peer " + role.cliName();
        try (SharedMemory memory = mapRingFile())
        {
            final SharedRing ring = RingPeerFile.ring(memory);
            final RingPeer peer = role == RingPeerRole.FRONT ?
                new RingPeerFront(FrontRing.attach(ring, 0), count) : new RingPeerBack(BackRing.attach(ring), count);
            final IdleStrategy idleStrategy = new BackoffIdleStrategy(
                100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
            final boolean finished = RingPeerRunner.run(
                peer, idleStrategy, SystemNanoClock.INSTANCE, TimeUnit.SECONDS.toNanos(timeoutSeconds));
            if (!finished)
            {
                err.println(name + ": timed out after " + timeoutSeconds + " s with " + peer.progress() +
                    "; is the other peer running on " + file + "?");
                return 1;
            }
            final String failure = peer.failure();
            if (failure != null)
            {
                err.println(name + ": FAILED: " + failure);
                return 1;
            }
            out.println(peer.summary());
            return 0;
        }
        catch (final UncheckedIOException ex)
        {
            err.println(name + ": " + ex.getMessage());
            return 1;
        }
    }

    private void checkArguments()
    {
        if (count <= 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1: " + count);
        }
        if (timeoutSeconds <= 0)
        {
            throw new CommandLine.ParameterException(
                spec.commandLine(), "--timeout-seconds must be at least 1: " + timeoutSeconds);
        }
    }

    private SharedMemory mapRingFile()
    {
        try
        {
            return init ? RingPeerFile.create(file) : RingPeerFile.open(file, role);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
    }

    /** {@code front} or {@code back}, any case; anything else is a usage error naming the choices. */
    static final class RoleConverter implements CommandLine.ITypeConverter<RingPeerRole>
    {
        @Override
        public RingPeerRole convert(final String value)
        {
            try
            {
                return RingPeerRole.parse(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.TypeConversionException(ex.getMessage());
            }
        }
    }
}
