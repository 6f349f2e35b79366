package io.pvio.examples.bench.block;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs {@code pvio bench block}: pre-fills the image, boots the PV machine and opens the native path on the same
 * file, then for each workload runs its rounds, each a window on the PV path and one on the native path, the paths
 * taking turns going first (same queue depth, same offsets from the same seed, same warm-up and window), and
 * finally checks data integrity across the paths.
 */
public final class BlockBenchRunner
{
    /** How long the requests still in flight when a window closes may take to finish. */
    private static final long STOP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    /** How long the cross-core probe runs before each round. */
    private static final long CROSS_CORE_PROBE_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final BlockBenchSettings settings;
    private final PrintWriter progress;

    /** @param progress where to narrate (stderr for the command: stdout carries only the results). */
    public BlockBenchRunner(final BlockBenchSettings settings, final PrintWriter progress)
    {
        this.settings = settings;
        this.progress = progress;
    }

    /**
     * @throws BlockBenchException if any request failed, a driver reported an error or the integrity check found a
     *                             difference: the figures would not be trustworthy.
     */
    public BlockBenchResults run() throws BlockBenchException, IOException, InterruptedException
    {
        final long startNs = System.nanoTime();
        progress.printf(Locale.ROOT, "pvio bench block: %d workloads x (%d warm-up + %d rounds) x 2 paths x (%.1f s " +
            "warm-up + %.1f s measured), %d queues, %s buffers, %d MiB image; about %.0f s%n",
            settings.workloads().size(), settings.warmupRounds(), settings.rounds(), settings.warmupNs() / 1e9,
            settings.measureNs() / 1e9, settings.queues(),
            settings.registeredBuffers() ? "registered" : "plain", settings.imageBytes() / BlockBenchSettings.MIB,
            settings.estimatedSeconds());
        progress.flush();
        try (BlockImage image = BlockImage.prepare(settings.imageFile(), settings.overwrite(), settings.imageBytes()))
        {
            try (PvBlockPath pv = openPv(image);
                NativeBlockPath nativeIo = new NativeBlockPath(image.path(), pv.queues()))
            {
                final List<BlockBenchResult> results = new ArrayList<>();
                for (final BlockWorkload workload : settings.workloads())
                {
                    results.add(runWorkload(workload, pv, nativeIo));
                }
                final List<String> problems = IntegrityCheck.run(pv, nativeIo, settings.imageBytes(),
                    settings.seed());
                if (!problems.isEmpty())
                {
                    throw new BlockBenchException("data integrity check failed: " + String.join("; ", problems));
                }
                checkNoDriverErrors(pv);
                progress.printf(Locale.ROOT, "integrity check passed; %.0f s in all%n",
                    (System.nanoTime() - startNs) / 1e9);
                progress.flush();
                return new BlockBenchResults(settings, pv.queues(),
                    image.isTemporary() ? null : image.path().toAbsolutePath().toString(), environment(), results);
            }
        }
    }

    private PvBlockPath openPv(final BlockImage image) throws IOException, InterruptedException, BlockBenchException
    {
        try
        {
            final PvBlockPath pv = new PvBlockPath(image.path(), settings.queues(),
                BlockWorkload.RAND_READ_4K_QD32.queueDepth(0), settings.sequentialQueueDepth(),
                settings.idleSpinNs(), settings.awaitPollNs(), settings.registeredBuffers());
            if (pv.queues() != settings.queues())
            {
                pv.close();
                throw new BlockBenchException("blkfront connected " + pv.queues() + " rings, not " +
                    settings.queues());
            }
            return pv;
        }
        catch (final TimeoutException ex)
        {
            throw new BlockBenchException("the PV disk did not connect: " + ex.getMessage(), ex);
        }
    }

    private BlockBenchResult runWorkload(final BlockWorkload workload, final PvBlockPath pv,
        final NativeBlockPath nativeIo) throws BlockBenchException, InterruptedException
    {
        final int queueDepth = workload.queueDepth(settings.sequentialQueueDepth());
        final List<PathMeasurement> pvRounds = new ArrayList<>();
        final List<PathMeasurement> nativeRounds = new ArrayList<>();
        final List<Double> crossCoreNs = new ArrayList<>();
        for (int round = 0; round < settings.warmupRounds(); round++)
        {
            // not counted: the JIT compiles this workload's code meanwhile (on the PV path, taking a CPU it needs)
            final Window[] windows = runRound(workload, pv, nativeIo, queueDepth, true);
            progress.printf(Locale.ROOT, "%-18s warm-up %d/%d: PV %9.0f IOPS, native %9.0f IOPS, ratio %.2f " +
                    "(not counted)%n", workload.workloadName(), round + 1, settings.warmupRounds(),
                windows[0].measurement().iops(), windows[1].measurement().iops(),
                windows[0].measurement().iops() / windows[1].measurement().iops());
            progress.flush();
        }
        final List<PvCounters> pvCounters = new ArrayList<>();
        for (int round = 0; round < settings.rounds(); round++)
        {
            crossCoreNs.add(CrossCoreProbe.roundTripNs(CROSS_CORE_PROBE_NS));
            // the paths take turns going first (PV, native, native, PV, PV, ...), so a drift of the machine over
            // the run (page cache, CPU frequency, other processes) favours neither
            final Window[] windows = runRound(workload, pv, nativeIo, queueDepth, round % 2 == 0);
            final Window pvWindow = windows[0];
            final Window nativeWindow = windows[1];
            pvRounds.add(pvWindow.measurement());
            nativeRounds.add(nativeWindow.measurement());
            pvCounters.add(pvWindow.counters());
            if (settings.rounds() > 1)
            {
                progress.printf(Locale.ROOT, "%-18s round %d/%d: PV %9.0f IOPS, native %9.0f IOPS, ratio %.2f; " +
                        "cross-core round trip %.0f ns; blkback's ring empty %.1f%%, %.1f requests per batch; " +
                        "host steal %s PV, %s native; JIT %s PV, %s native; per request, storage call %s PV, %s " +
                        "native, the rest %s PV, %s native%n",
                    workload.workloadName(), round + 1, settings.rounds(), pvWindow.measurement().iops(),
                    nativeWindow.measurement().iops(), pvWindow.measurement().iops() /
                        nativeWindow.measurement().iops(), crossCoreNs.get(round),
                    100.0 * pvWindow.counters().ringEmptyShare(pvWindow.measurement().elapsedNs(), pv.queues()),
                    pvWindow.counters().requestsPerBatch(), StealTime.format(pvWindow.stealShare()),
                    StealTime.format(nativeWindow.stealShare()), JitTime.format(pvWindow.jitMs()),
                    JitTime.format(nativeWindow.jitMs()), nanos(pvWindow.measurement().storageCallNs()),
                    nanos(nativeWindow.measurement().storageCallNs()),
                    nanos(pvWindow.measurement().restNsPerRequest(pv.queues())),
                    nanos(nativeWindow.measurement().restNsPerRequest(nativeIo.threads())));
                progress.flush();
            }
        }
        final BlockBenchResult result = new BlockBenchResult(workload, queueDepth, pvRounds, nativeRounds, pvCounters,
            crossCoreNs);
        progress.printf(Locale.ROOT, "%-18s qd %2d: PV %9.0f IOPS, native %9.0f IOPS, ratio %.2f%s, " +
            "%.2f kicks and %.2f hypercalls per request%n", workload.workloadName(), queueDepth,
            result.pvIops(), result.nativeIops(), result.ratio(), settings.rounds() > 1 ? " (medians)" : "",
            result.kicksPerRequest(), result.hypercallsPerRequest());
        progress.flush();
        return result;
    }

    /** One window on each path, {@code pvFirst} or not: the PV path's window, then the native path's. */
    private Window[] runRound(final BlockWorkload workload, final PvBlockPath pv, final NativeBlockPath nativeIo,
        final int queueDepth, final boolean pvFirst) throws BlockBenchException, InterruptedException
    {
        final Window[] windows = new Window[2];
        for (int turn = 0; turn < 2; turn++)
        {
            cleanPageCache(workload, nativeIo);
            if ((turn == 0) == pvFirst)
            {
                windows[0] = measure("PV", workload, pv.start(workload, queueDepth, offsets(workload)),
                    pv::counters, pv::storageCalls);
                checkNoDriverErrors(pv);
            }
            else
            {
                windows[1] = measure("native", workload, nativeIo.start(workload, queueDepth, offsets(workload)),
                    null, nativeIo::storageCalls);
            }
        }
        return windows;
    }

    /**
     * Before each path of a write workload: the image's dirty pages (the previous path's writes) are written back, so
     * neither path runs while the kernel writes back the other's data, or is throttled for it.
     */
    private static void cleanPageCache(final BlockWorkload workload, final NativeBlockPath nativeIo)
        throws BlockBenchException
    {
        if (workload.isWrite())
        {
            try
            {
                nativeIo.force();
            }
            catch (final IOException ex)
            {
                throw new BlockBenchException("could not write the image back to disk: " + ex.getMessage(), ex);
            }
        }
    }

    private RequestOffsets offsets(final BlockWorkload workload)
    {
        return new RequestOffsets(workload, settings.imageBytes(), settings.seed());
    }

    /**
     * One path's measured window: what completed in it, the change in its counters (if it has any), the share of the
     * machine's CPU time the host stole meanwhile (NaN if unknown) and how long the JIT compiled meanwhile
     * ({@link JitTime#UNKNOWN} if unknown).
     */
    private record Window(PathMeasurement measurement, PvCounters counters, double stealShare, long jitMs)
    {
    }

    /**
     * Warm-up, then the window: completions (and {@code counters}, unless {@code null}) are read as it opens and as
     * it closes; then the run stops and its requests in flight finish.
     */
    private Window measure(final String path, final BlockWorkload workload, final LoopRun run,
        final Supplier<PvCounters> counters, final Supplier<StorageCallSampler.Reading> storageCalls)
        throws BlockBenchException, InterruptedException
    {
        final long opened;
        final long closed;
        final long startCount;
        final long endCount;
        final PvCounters atOpen;
        final PvCounters atClose;
        final StealTime.Reading stealAtOpen;
        final StealTime.Reading stealAtClose;
        final long jitAtOpenMs;
        final long jitAtCloseMs;
        final StorageCallSampler.Reading callsAtOpen;
        final StorageCallSampler.Reading callsAtClose;
        try
        {
            TimeUnit.NANOSECONDS.sleep(settings.warmupNs());
            atOpen = counters == null ? null : counters.get();
            stealAtOpen = StealTime.read();
            jitAtOpenMs = JitTime.totalMs();
            callsAtOpen = storageCalls.get();
            startCount = run.loop().completedCount();
            opened = System.nanoTime();
            TimeUnit.NANOSECONDS.sleep(settings.measureNs());
            endCount = run.loop().completedCount();
            closed = System.nanoTime();
            callsAtClose = storageCalls.get();
            stealAtClose = StealTime.read();
            jitAtCloseMs = JitTime.totalMs();
            atClose = counters == null ? null : counters.get();
        }
        finally
        {
            run.stop(STOP_TIMEOUT_NS);
        }
        if (run.loop().failure() != null)
        {
            throw new BlockBenchException(workload.workloadName() + " (" + path + "): " + run.loop().failure());
        }
        if (endCount == startCount)
        {
            throw new BlockBenchException(workload.workloadName() + " (" + path + "): no request completed in the " +
                "measured window; give it more time (--seconds)");
        }
        return new Window(new PathMeasurement(endCount - startCount, closed - opened, workload.requestBytes(),
                callsAtClose.meanNsSince(callsAtOpen)),
            atOpen == null ? null : atClose.minus(atOpen),
            stealAtOpen == null || stealAtClose == null ? Double.NaN : stealAtClose.shareSince(stealAtOpen),
            JitTime.between(jitAtOpenMs, jitAtCloseMs));
    }

    /** {@code 957 ns}, or {@code n/a}. */
    static String nanos(final double ns)
    {
        return Double.isNaN(ns) ? "n/a" : String.format(Locale.ROOT, "%.0f ns", ns);
    }

    private static void checkNoDriverErrors(final PvBlockPath pv) throws BlockBenchException
    {
        if (!pv.errors().isEmpty())
        {
            final Throwable first = pv.errors().get(0);
            throw new BlockBenchException("the PV drivers reported " + pv.errors().size() + " error(s), first: " +
                first, first);
        }
    }

    private static String environment()
    {
        return "JDK " + System.getProperty("java.vm.version") + " (" + System.getProperty("java.vm.name") + "), " +
            System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", " +
            Runtime.getRuntime().availableProcessors() + " CPUs";
    }
}
