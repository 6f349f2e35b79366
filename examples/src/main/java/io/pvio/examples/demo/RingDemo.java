package io.pvio.examples.demo;

import io.pvio.examples.notify.Doorbell;
import io.pvio.examples.notify.SpinThenSleepIdleStrategy;
import io.pvio.examples.ringpeer.RingPeerBack;
import io.pvio.examples.ringpeer.RingPeerFront;
import io.pvio.ring.BackRing;
import io.pvio.ring.FrontRing;
import io.pvio.ring.SharedMemory;
import io.pvio.ring.SharedRing;
import io.pvio.ring.SringDescriptor;
import io.pvio.ring.blkif.BlkifRings;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The ring demo: a guest's front end and dom0's back end, each an Agrona agent on its own thread, share one blkif
 * ring in a memory-mapped file. The front end sends well-formed read and write requests in batches; the back end
 * copies each once, validates the copy and answers; each side sleeps on a doorbell (the stand-in for an event
 * channel until the hypervisor provides real ones) after the ring's final check, and is kicked only when the ring's
 * event index says so. It narrates the first batches, reports progress each second and ends with the counts.
 */
public final class RingDemo
{
    private static final long PROGRESS_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int CLOSE_RETRY_MS = 10;

    private final RingDemoSettings settings;
    private final PrintStream out;

    public RingDemo(final RingDemoSettings settings, final PrintStream out)
    {
        this.settings = settings;
        this.out = out;
    }

    /** Runs the demo and says what happened; {@link RingDemoResult#correct()} when every round trip was correct. */
    public RingDemoResult run() throws Exception
    {
        final Path file = settings.ringFile() != null ? settings.ringFile() :
            Files.createTempDirectory("pvio-demo").resolve("blkif-ring");
        final int ringBytes = SringDescriptor.ringBytes(settings.ringPageOrder());
        try (SharedMemory memory = SharedMemory.createFile(file, ringBytes))
        {
            return run(memory, file);
        }
        finally
        {
            if (settings.ringFile() == null)
            {
                Files.deleteIfExists(file);
                Files.deleteIfExists(file.getParent());
            }
        }
    }

    private RingDemoResult run(final SharedMemory memory, final Path file) throws InterruptedException
    {
        final Narration narration = new Narration(out, settings.narratedBatchesPerSide());
        final SharedRing ring = SharedRing.ofPageOrder(memory.buffer(), settings.ringPageOrder(), BlkifRings.X86_64);
        final FrontRing front = FrontRing.initialise(ring);
        final BackRing back = BackRing.attach(ring);
        introduce(narration, ring, file);

        final Doorbell toBack = new Doorbell();
        final Doorbell toFront = new Doorbell();
        final NotifyingPushListener guestPushes =
            new NotifyingPushListener(toBack, settings.suppression(), narration, "domU", "requests", ring);
        final NotifyingPushListener dom0Pushes =
            new NotifyingPushListener(toFront, settings.suppression(), narration, "dom0", "responses", ring);
        final RingPeerFront guest = new RingPeerFront(front, settings.requests()).pushListener(guestPushes);
        final RingPeerBack dom0 = new RingPeerBack(back, settings.requests()).pushListener(dom0Pushes);
        final ObservedRingEnd guestEnd = new ObservedRingEnd(guest, guest::responsesReceived);
        final ObservedRingEnd dom0End = new ObservedRingEnd(dom0, dom0::served);

        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final ErrorHandler recordFirst = (throwable) -> failure.compareAndSet(null, throwable);
        final AgentRunner guestRunner = new AgentRunner(
            new SpinThenSleepIdleStrategy(toFront, guest::finalCheck),
            recordFirst, null, guestEnd);
        final AgentRunner dom0Runner = new AgentRunner(
            new SpinThenSleepIdleStrategy(toBack, dom0::finalCheck),
            recordFirst, null, dom0End);

        final long startNs = System.nanoTime();
        AgentRunner.startOnThread(dom0Runner);
        AgentRunner.startOnThread(guestRunner);
        long nextProgressNs = startNs + PROGRESS_INTERVAL_NS;
        boolean finished = false;
        while (!finished && failure.get() == null && System.nanoTime() - startNs < settings.timeoutNs())
        {
            finished = guestEnd.done().await(10, TimeUnit.MILLISECONDS);
            if (!finished && System.nanoTime() - nextProgressNs >= 0)
            {
                nextProgressNs += PROGRESS_INTERVAL_NS;
                narration.plain(String.format("  ... %,d of %,d round trips", guestEnd.completed(),
                    settings.requests()));
            }
        }
        final long elapsedNs = System.nanoTime() - startNs;
        // close() stops the agent and joins its thread (its fields are safe to read afterwards); an agent asleep on
        // its doorbell is unparked each time the join times out, and then sees that it must stop.
        guestRunner.close(CLOSE_RETRY_MS, LockSupport::unpark);
        dom0Runner.close(CLOSE_RETRY_MS, LockSupport::unpark);

        final String problem = failure.get() != null ? "agent failed: " + failure.get() :
            guest.failure() != null ? guest.failure() :
            dom0.failure() != null ? dom0.failure() :
            !finished ? "timed out after " + TimeUnit.NANOSECONDS.toSeconds(elapsedNs) + " s: " + guest.progress() :
            null;
        summarise(narration, guest, dom0, guestPushes, dom0Pushes, toBack, toFront, elapsedNs, ring);
        if (problem != null)
        {
            narration.plain("FAILED: " + problem);
        }
        return new RingDemoResult(problem, guest.responsesReceived(), guestPushes.pushes(), dom0Pushes.pushes(),
            toBack.kicks(), toFront.kicks(), elapsedNs);
    }

    private void introduce(final Narration narration, final SharedRing ring, final Path file)
    {
        narration.plain("pvio ring demo: a guest front end (domU) and a dom0 back end share one Xen blkif ring.");
        narration.plain(String.format("  ring: %d page(s), %d B, in %s; blkif x86_64 ABI: %d slots of %d B",
            1 << settings.ringPageOrder(), ring.ringBytes(), file, ring.size(), ring.layout().entryBytes()));
        narration.plain("  the front end initialised the header (SHARED_RING_INIT): " + ring);
        narration.plain("  notification: " + (settings.suppression() ?
            "Xen's event-index rule (RING_PUSH_*_AND_CHECK_NOTIFY); a side sleeps only after its final check" :
            "suppression OFF: every batch kicks the peer"));
        narration.plain("  each side spins up to " + SpinThenSleepIdleStrategy.SPIN_LIMIT +
            " empty polls, then sleeps on its doorbell until kicked (the event channel of a real guest)");
        narration.plain(String.format("  %,d round trips; the first %d batches of each side are narrated:",
            settings.requests(), narration.limitPerSide()));
    }

    private static void summarise(
        final Narration narration,
        final RingPeerFront guest,
        final RingPeerBack dom0,
        final NotifyingPushListener guestPushes,
        final NotifyingPushListener dom0Pushes,
        final Doorbell toBack,
        final Doorbell toFront,
        final long elapsedNs,
        final SharedRing ring)
    {
        final long requests = guest.requestsSent();
        final long responses = guest.responsesReceived();
        narration.plain("summary:");
        narration.plain("  " + guest.summary());
        narration.plain("  " + dom0.summary());
        narration.plain(String.format("  batches published: domU %,d, dom0 %,d", guestPushes.pushes(),
            dom0Pushes.pushes()));
        narration.plain(String.format("  kicks domU->dom0: %,d (%.2f per 1,000 requests); dom0->domU: %,d (%.2f per" +
            " 1,000 responses)", toBack.kicks(), perThousand(toBack.kicks(), requests), toFront.kicks(),
            perThousand(toFront.kicks(), responses)));
        narration.plain(String.format("  sleeps: domU %,d, dom0 %,d", toFront.sleeps(), toBack.sleeps()));
        narration.plain(String.format("  %,d round trips in %.3f s: %,.0f request/response pairs per second",
            responses, elapsedNs / 1e9, responses * 1e9 / Math.max(1, elapsedNs)));
        narration.plain("  final header: " + ring);
    }

    private static double perThousand(final long count, final long of)
    {
        return of == 0 ? 0 : count * 1000.0 / of;
    }
}
