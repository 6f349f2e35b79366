package io.pvio.examples.demo.block;

import io.pvio.backend.block.BlkbackFeatures;
import io.pvio.backend.block.FileImageStorage;
import io.pvio.examples.block.BlockMachine;
import io.pvio.frontend.block.BlkfrontDevice;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.guest.EventIdleStrategy;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusState;
import io.pvio.hypervisor.xenbus.XenbusToolstack;
import io.pvio.hypervisor.xenstore.XenStoreClient;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code pvio demo}: Xen's paravirtual block device end to end, narrated. It boots a hypervisor whose dom0 runs
 * blkback and a guest running blkfront ({@link BlockMachine}), attaches a disk image to the guest through XenStore
 * and tells the xenbus handshake as it happens ({@link HandshakeWatcher}); the guest then writes a recognisable
 * pattern, flushes, and reads everything back ({@link GuestWorkload}), the first requests told step by step
 * ({@link RequestStory}); the demo checks the image file itself after the flush ({@link ImageCheck}), detaches the
 * disk, stops the machine and prints the counts ({@link DemoSummary}).
 */
public final class BlockDemo
{
    /** The guest's disk: {@code xvda}, Linux's block major 202, minor 0. */
    public static final String DEVICE_ID = "51712";
    /** Rings blkfront asks for (blkback offers two by default). */
    static final int FRONT_QUEUES = 2;
    /** Guest pages besides the I/O buffers: its rings, persistently granted pages and indirect pages. */
    private static final int GUEST_DRIVER_PAGES = 2048;

    private final BlockDemoSettings settings;
    private final PrintWriter out;

    public BlockDemo(final BlockDemoSettings settings, final PrintWriter out)
    {
        this.settings = settings;
        this.out = out;
    }

    /** Runs the demo and says what happened; {@link BlockDemoResult#verified()} when every check passed. */
    public BlockDemoResult run() throws IOException, InterruptedException
    {
        final long startNs = System.nanoTime();
        final DemoConsole console = new DemoConsole(out, settings.quiet(), startNs);
        final Path image = settings.image() != null ? settings.image() :
            Files.createTempDirectory("pvio-demo").resolve("disk.img");
        try (CountingStorage disk = new CountingStorage(FileImageStorage.create(image, settings.sizeBytes())))
        {
            final BlockDemoResult result = new Run(console, disk, image, startNs).run();
            console.always(result.verified() ? "verified: " + settings.requests() + " writes read back byte for " +
                "byte through blkfront, and the image file holds them after the flush" :
                "FAILED: " + result.problem());
            return result;
        }
        finally
        {
            if (settings.image() == null)
            {
                Files.deleteIfExists(image);
                Files.deleteIfExists(image.getParent());
            }
        }
    }

    /** One run: the machine, its phases and their timings. */
    private final class Run
    {
        private final DemoConsole console;
        private final CountingStorage disk;
        private final Path image;
        private final long startNs;
        private final long deadlineNs;
        private final DemoRequestPlan plan = settings.plan();
        private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        private final long[] phaseEndNs = new long[4];

        Run(final DemoConsole console, final CountingStorage disk, final Path image, final long startNs)
        {
            this.console = console;
            this.disk = disk;
            this.image = image;
            this.startNs = startNs;
            this.deadlineNs = startNs + settings.timeoutNs();
        }

        BlockDemoResult run() throws InterruptedException
        {
            introduce();
            final int guestPages = GUEST_DRIVER_PAGES + GuestWorkload.pagesNeeded(plan.count());
            final BlockMachine machine = new BlockMachine(BlkbackFeatures.defaults(), FRONT_QUEUES, guestPages,
                EventIdleStrategy::new, errors::add);
            final DemoSummary.Numbers numbers;
            try
            {
                describeBoot(machine);
                phaseEndNs[0] = System.nanoTime();
                numbers = runOn(machine);
            }
            catch (final DemoFailure | TimeoutException | IOException ex)
            {
                return BlockDemoResult.failed(ex.getMessage() +
                    (errors.isEmpty() ? "" : " (a driver reported: " + errors.peek() + ")"));
            }
            catch (final RuntimeException ex)
            {
                return BlockDemoResult.failed("the demo itself failed: " + ex +
                    (errors.isEmpty() ? "" : " (a driver reported: " + errors.peek() + ")"));
            }
            finally
            {
                machine.close();
            }
            phaseEndNs[3] = System.nanoTime();
            final String problem = errors.isEmpty() ? null : "a driver reported: " + errors.peek();
            return DemoSummary.print(console, numbers, timeline(), problem);
        }

        private DemoSummary.Numbers runOn(final BlockMachine machine)
            throws DemoFailure, TimeoutException, IOException, InterruptedException
        {
            final XenbusDevice device = machine.device(DEVICE_ID);
            try (HandshakeWatcher watcher = new HandshakeWatcher(machine.host().store(), device, console);
                XenStoreClient reader = new XenStoreClient(machine.host().store(), 0, true))
            {
                final BlkfrontDevice blockDevice = handshake(machine, device, watcher);
                final int queueDepth = blockDevice.queueDepth();
                final VbdView view = VbdView.discover(machine, device, reader, disk);
                final boolean persistent = describeNegotiation(view, blockDevice, reader, device);
                phaseEndNs[1] = System.nanoTime();
                final VbdView.Snapshot start = view.snapshot();
                runIo(machine, blockDevice, view, new RequestStory(console, view, persistent));
                final VbdView.Snapshot end = view.settledSince(start);
                phaseEndNs[2] = System.nanoTime();
                shutdown(machine, device, watcher);
                return new DemoSummary.Numbers(plan, view, start, end, queueDepth,
                    blockDevice.inFlightHighWatermark(), machine.guest().domain().counters().snapshot(),
                    machine.host().dom0().counters().snapshot(), machine.host().dom0().maptrack().inUse());
            }
        }

        private void introduce()
        {
            console.paragraph("", "pvio demo: Xen's paravirtual block device, end to end. A guest writes to a " +
                "virtual disk, flushes, reads everything back and checks it, while dom0 serves the disk from an " +
                "image file. Everything below really happens in this process: a hypervisor, two domains, XenStore, " +
                "grant tables and event channels, with each domain's vCPU asleep until an event is pending for it.");
            console.heading("1. Boot");
        }

        private void describeBoot(final BlockMachine machine)
        {
            final Domain dom0 = machine.host().dom0();
            final Domain guest = machine.guest().domain();
            console.say(String.format("  %-11s up, with %d MiB of machine memory (%d frames of 4 KiB)", "hypervisor",
                BlockMachine.MACHINE_FRAMES / 256, BlockMachine.MACHINE_FRAMES));
            console.say(String.format("  %-11s domid %d: XenStore, the toolstack and blkback (the block back end);" +
                " %d vCPU, %d pages", "dom0", dom0.domid(), dom0.vcpuCount(), dom0.guestMemory().populatedPages()));
            console.say(String.format("  %-11s domid %d (\"%s\"): blkfront (the block front end); %d vCPU, %d pages," +
                " may balloon to %d", "guest", guest.domid(), guest.name(), guest.vcpuCount(),
                guest.guestMemory().populatedPages(), guest.physmap().maxPages()));
            console.say(DemoConsole.wrap(String.format("  %-11s ", "disk"), String.format(
                "%s: a %d MiB raw image file (%d sectors of 512 bytes), created sparse", image, settings.sizeMib(),
                disk.sectorCount()), " ".repeat(14)));
        }

        private BlkfrontDevice handshake(
            final BlockMachine machine, final XenbusDevice device, final HandshakeWatcher watcher)
            throws TimeoutException, InterruptedException
        {
            console.heading("2. Handshake");
            console.paragraph("  ", "The toolstack attaches the image to the guest as vbd " + DEVICE_ID + " (xvda) " +
                "by writing two XenStore directories: " + device.backendPath() + " for dom0 and " +
                device.frontendPath() + " for the guest. Each driver's bus watches for its own; then both ends step " +
                "through the xenbus states, shown here as a XenStore watch sees them change:");
            final BlkfrontDevice blockDevice = machine.attach(DEVICE_ID, disk,
                Duration.ofNanos(Math.max(0, deadlineNs - System.nanoTime())));
            watcher.awaitSeen(HandshakeWatcher.End.BACK, XenbusState.CONNECTED, deadlineNs);
            watcher.awaitSeen(HandshakeWatcher.End.FRONT, XenbusState.CONNECTED, deadlineNs);
            return blockDevice;
        }

        /** @return whether both ends agreed on persistent grants. */
        private boolean describeNegotiation(
            final VbdView view, final BlkfrontDevice blockDevice, final XenStoreClient xs, final XenbusDevice device)
        {
            final boolean persistent = "1".equals(xs.readOrNull(0, device.backendPath() + "/" +
                BlkbackFeatures.FEATURE_PERSISTENT)) && "1".equals(xs.readOrNull(0, device.frontendPath() + "/" +
                BlkbackFeatures.FEATURE_PERSISTENT));
            final String indirect = xs.readOrNull(0, device.backendPath() + "/" +
                BlkbackFeatures.FEATURE_MAX_INDIRECT_SEGMENTS);
            console.paragraph("  ", "agreed: " + view.queues().size() + " rings of " +
                view.queues().get(0).ringSize() + " request slots (" + blockDevice.queueDepth() + " requests in " +
                "flight at most), " + (persistent ? "persistent grants, " : "") + (indirect == null ?
                "no indirect requests" : "indirect requests of up to " + indirect + " pages"));
            for (final VbdView.Queue queue : view.queues())
            {
                console.say("  ring " + queue.index() + ": guest page " + queue.ringGfn() + " granted as ref " +
                    queue.ringRef() + "; event channel: guest port " + queue.guestPort() + " <-> dom0 port " +
                    queue.dom0Port());
            }
            return persistent;
        }

        private void runIo(
            final BlockMachine machine, final BlkfrontDevice blockDevice, final VbdView view, final RequestStory story)
            throws DemoFailure, InterruptedException, IOException
        {
            final GuestWorkload workload = new GuestWorkload(machine, blockDevice, plan, view, story, deadlineNs);
            final int narrated = Math.min(settings.narrated(), plan.count());
            console.heading("3. I/O");
            console.paragraph("  ", "The guest writes " + plan.count() + " requests (" +
                RequestStory.bytes(plan.totalBytes()) + ", sectors 0-" + (plan.totalSectors() - 1) + ") of text " +
                "naming each sector and line, in four shapes in turn: 8 pages; 3 sectors of one page; " +
                DemoRequestPlan.LARGE_PAGES + " pages (indirect); 11 pages. Its buffers are " + workload.slots() +
                " slots of guest pages, ballooned in for the purpose." + (narrated > 0 ? " The first " + narrated +
                " go one at a time, so that every step shows:" : ""));
            workload.writeAll(narrated);
            workload.flush(narrated == 0);
            final long mismatch = ImageCheck.firstMismatch(image, plan.totalSectors());
            if (mismatch >= 0)
            {
                throw new DemoFailure("after the flush, sector " + mismatch + " of the image file " + image +
                    " does not hold what was written");
            }
            console.paragraph("  ", "durable: the demo opens the image file itself (a FileChannel, past every " +
                "driver) and reads sectors 0-" + (plan.totalSectors() - 1) + ": all " + plan.totalSectors() +
                " hold what the guest wrote");
            workload.readAll(narrated);
        }

        private void shutdown(final BlockMachine machine, final XenbusDevice device, final HandshakeWatcher watcher)
            throws TimeoutException, InterruptedException
        {
            final XenbusToolstack toolstack = machine.host().toolstack();
            console.heading("4. Shutdown");
            console.paragraph("  ", "The toolstack detaches the disk: it writes online = 0 in the back end's " +
                "directory.");
            toolstack.detach(device);
            watcher.awaitSeen(HandshakeWatcher.End.BACK, XenbusState.CLOSED, deadlineNs);
            watcher.awaitSeen(HandshakeWatcher.End.FRONT, XenbusState.CLOSED, deadlineNs);
            while (!toolstack.isClosed(device))
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new TimeoutException("the device did not close");
                }
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            }
            toolstack.remove(device);
            watcher.awaitRemoved(HandshakeWatcher.End.BACK, deadlineNs);
            watcher.awaitRemoved(HandshakeWatcher.End.FRONT, deadlineNs);
            console.say("  then the machine stops: driver agents and vCPU threads are joined, the domains destroyed");
        }

        private DemoSummary.Timeline timeline()
        {
            return new DemoSummary.Timeline(phaseEndNs[0] - startNs, phaseEndNs[1] - phaseEndNs[0],
                phaseEndNs[2] - phaseEndNs[1], phaseEndNs[3] - phaseEndNs[2], phaseEndNs[3] - startNs);
        }
    }
}
