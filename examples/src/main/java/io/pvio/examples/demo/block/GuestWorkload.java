package io.pvio.examples.demo.block;

import io.pvio.examples.block.BlockMachine;
import io.pvio.frontend.block.BlkfrontDevice;
import io.pvio.frontend.block.BlockBuffer;
import io.pvio.hypervisor.memory.GuestMemory;
import org.agrona.concurrent.AtomicBuffer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The guest's side of the demo: it writes the plan's requests through blkfront, flushes, and reads them back,
 * checking every byte. Each request's data lives in its own guest pages: a pool of {@link #WINDOW} slots whose
 * pages the guest ballooned in, request {@code i} using slot {@code i % slots}. The first requests of each phase
 * go one at a time and are told step by step ({@link RequestStory}); the rest go in waves of a slot each, all in
 * flight together.
 */
final class GuestWorkload
{
    /** Requests in flight at once in a wave: both rings' worth (2 x 32). A multiple of the plan's shapes. */
    static final int WINDOW = 64;
    private static final byte POISON = (byte)0xEE;

    private final BlkfrontDevice device;
    private final DemoRequestPlan plan;
    private final VbdView view;
    private final RequestStory story;
    private final long deadlineNs;
    private final SectorPattern pattern = new SectorPattern();
    private final long[][] slotGfns;
    private final AtomicBuffer[][] slotFrames;

    GuestWorkload(
        final BlockMachine machine, final BlkfrontDevice device, final DemoRequestPlan plan, final VbdView view,
        final RequestStory story, final long deadlineNs)
    {
        this.device = device;
        this.plan = plan;
        this.view = view;
        this.story = story;
        this.deadlineNs = deadlineNs;
        final int slots = slotCount(plan.count());
        slotGfns = new long[slots][];
        slotFrames = new AtomicBuffer[slots][];
        final GuestMemory memory = machine.guest().domain().guestMemory();
        for (int s = 0; s < slots; s++)
        {
            slotGfns[s] = machine.allocateGuestPages(DemoRequestPlan.pagesOfShape(s % DemoRequestPlan.SHAPE_COUNT));
            slotFrames[s] = new AtomicBuffer[slotGfns[s].length];
            for (int page = 0; page < slotGfns[s].length; page++)
            {
                slotFrames[s][page] = memory.frame(slotGfns[s][page]);
            }
        }
    }

    /** Slots for a plan of {@code requests}: a window, or fewer for a short plan (whole cycles of shapes). */
    static int slotCount(final int requests)
    {
        final int cycles = (requests + DemoRequestPlan.SHAPE_COUNT - 1) / DemoRequestPlan.SHAPE_COUNT;
        return Math.min(WINDOW, cycles * DemoRequestPlan.SHAPE_COUNT);
    }

    /** Guest pages the slots take. */
    static int pagesNeeded(final int requests)
    {
        int pages = 0;
        for (int s = 0; s < slotCount(requests); s++)
        {
            pages += DemoRequestPlan.pagesOfShape(s % DemoRequestPlan.SHAPE_COUNT);
        }
        return pages;
    }

    int slots()
    {
        return slotGfns.length;
    }

    /** Writes every request of the plan, the first {@code narrated} one at a time with their story. */
    void writeAll(final int narrated) throws DemoFailure, InterruptedException
    {
        runPhase(RequestStory.Operation.WRITE, narrated);
    }

    /** Reads every request of the plan back and checks it, the first {@code narrated} told step by step. */
    void readAll(final int narrated) throws DemoFailure, InterruptedException
    {
        runPhase(RequestStory.Operation.READ, narrated);
    }

    /** One flush, told step by step unless {@code quietly}. */
    void flush(final boolean quietly) throws DemoFailure, InterruptedException
    {
        final VbdView.Snapshot before = view.snapshot();
        final long startNs = System.nanoTime();
        await(device.flush(), "the flush");
        final long roundTripNs = System.nanoTime() - startNs;
        if (!quietly)
        {
            story.tell("flush", RequestStory.Operation.FLUSH, null, before, view.settledSince(before), roundTripNs,
                "every write before it is on disk");
        }
    }

    private void runPhase(final RequestStory.Operation operation, final int narrated)
        throws DemoFailure, InterruptedException
    {
        final int alone = Math.min(narrated, plan.count());
        for (int i = 0; i < alone; i++)
        {
            final DemoRequestPlan.Request request = plan.request(i);
            final VbdView.Snapshot before = view.snapshot();
            final long startNs = System.nanoTime();
            final CompletableFuture<Void> done = submit(operation, request);
            await(done, describe(operation, request));
            final long roundTripNs = System.nanoTime() - startNs;
            String outcome = "";
            if (operation == RequestStory.Operation.READ)
            {
                verify(request);
                outcome = "the " + RequestStory.bytes(request.lengthBytes()) + " match what was written";
            }
            story.tell(name(operation) + " " + (i + 1) + " of " + plan.count(), operation, request, before,
                view.settledSince(before), roundTripNs, outcome);
        }
        if (alone == plan.count())
        {
            return;
        }
        final VbdView.Snapshot before = view.snapshot();
        runWaves(operation, alone);
        final String title = alone + 1 == plan.count() ? name(operation) + " " + plan.count() :
            name(operation) + "s " + (alone + 1) + "-" + plan.count();
        story.tellWaves(title, plan.count() - alone, slots(), before, view.settledSince(before));
    }

    private void runWaves(final RequestStory.Operation operation, final int from)
        throws DemoFailure, InterruptedException
    {
        final int slots = slots();
        @SuppressWarnings("unchecked")
        final CompletableFuture<Void>[] wave = new CompletableFuture[slots];
        for (int start = from; start < plan.count(); start += slots)
        {
            final int end = Math.min(start + slots, plan.count());
            for (int i = start; i < end; i++)
            {
                wave[i - start] = submit(operation, plan.request(i));
            }
            for (int i = start; i < end; i++)
            {
                await(wave[i - start], describe(operation, plan.request(i)));
                if (operation == RequestStory.Operation.READ)
                {
                    verify(plan.request(i));
                }
            }
        }
    }

    private CompletableFuture<Void> submit(final RequestStory.Operation operation, final DemoRequestPlan.Request r)
    {
        final int slot = r.index() % slots();
        if (operation == RequestStory.Operation.WRITE)
        {
            forEachSector(r, (frame, offset, sector) -> pattern.fill(frame, offset, sector, 1));
        }
        else
        {
            // whatever was in the pages before cannot pass for the data read
            forEachSector(r, (frame, offset, sector) ->
                frame.setMemory(offset, SectorPattern.SECTOR_BYTES, POISON));
        }
        final BlockBuffer buffer = new BlockBuffer(slotGfns[slot], r.offsetBytes(), r.lengthBytes());
        return operation == RequestStory.Operation.WRITE ? device.write(r.sector(), buffer) :
            device.read(r.sector(), buffer);
    }

    private void verify(final DemoRequestPlan.Request r) throws DemoFailure
    {
        final long[] mismatch = {-1};
        forEachSector(r, (frame, offset, sector) ->
        {
            if (mismatch[0] < 0 && pattern.firstMismatch(frame, offset, sector, 1) >= 0)
            {
                mismatch[0] = sector;
            }
        });
        if (mismatch[0] >= 0)
        {
            throw new DemoFailure("read back of sectors " + r.sector() + "-" + r.lastSector() + ": sector " +
                mismatch[0] + " does not hold what was written");
        }
    }

    /** What to do with one sector of a request's buffer: the page's frame, the offset in it, the disk sector. */
    @FunctionalInterface
    private interface SectorAction
    {
        void apply(AtomicBuffer frame, int offset, long sector);
    }

    private void forEachSector(final DemoRequestPlan.Request r, final SectorAction action)
    {
        final AtomicBuffer[] frames = slotFrames[r.index() % slots()];
        for (int k = 0; k < r.sectorCount(); k++)
        {
            final int position = r.offsetBytes() + k * SectorPattern.SECTOR_BYTES;
            action.apply(frames[position / DemoRequestPlan.PAGE_BYTES], position % DemoRequestPlan.PAGE_BYTES,
                r.sector() + k);
        }
    }

    private void await(final CompletableFuture<Void> request, final String what)
        throws DemoFailure, InterruptedException
    {
        try
        {
            request.get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw new DemoFailure(what + " failed: " + ex.getCause().getMessage(), ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new DemoFailure(what + " was not answered before the timeout (--timeout-seconds)");
        }
    }

    private static String describe(final RequestStory.Operation operation, final DemoRequestPlan.Request r)
    {
        return name(operation) + " " + (r.index() + 1) + " (sectors " + r.sector() + "-" + r.lastSector() + ")";
    }

    private static String name(final RequestStory.Operation operation)
    {
        return operation == RequestStory.Operation.WRITE ? "write" : "read";
    }
}
