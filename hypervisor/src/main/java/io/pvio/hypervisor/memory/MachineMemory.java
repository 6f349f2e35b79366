package io.pvio.hypervisor.memory;

import io.pvio.ring.SharedMemory;
import io.pvio.ring.SringDescriptor;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The machine's memory: one region of 4 KiB frames, numbered by machine frame number (mfn), either off-heap or a
 * memory-mapped file that other processes can map too.
 * <p>
 * <b>Reference counts</b> (Xen's {@code get_page}/{@code put_page}). A free frame has count 0. {@link #claimFrame}
 * hands out a zeroed frame with count 1 (its owner's reference, held by a {@link Physmap}); every foreign grant
 * mapping and every in-flight grant copy {@link #retainFrame retains} one more. {@link #releaseFrame} drops one, and
 * the frame that reaches 0 is scrubbed and returned to the free pool. So a frame stays alive while anyone still
 * maps it, even after its owner died, and no domain ever sees another domain's old data.
 * <p>
 * Thread-safe: counts are atomic; the free pool is guarded by this object's monitor (control path only).
 */
public final class MachineMemory implements AutoCloseable
{
    /** Xen's page size. */
    public static final int PAGE_SIZE_BYTES = SringDescriptor.PAGE_SIZE_BYTES;
    /** The page shift: mfn = machine address &gt;&gt; 12. */
    public static final int PAGE_SHIFT = 12;
    /** No frame. */
    public static final int INVALID_MFN = -1;
    /** Owner token of a free frame. */
    public static final int NO_OWNER = 0;

    private final SharedMemory region;
    private final AtomicBuffer buffer;
    private final long baseAddress;
    private final int frameCount;
    private final AtomicIntegerArray refCounts;
    private final int[] ownerTokens;
    private final int[] freeStack;
    private int freeTop;
    private boolean closed;

    private MachineMemory(final SharedMemory region)
    {
        this.region = region;
        this.buffer = region.buffer();
        this.baseAddress = buffer.addressOffset();
        this.frameCount = region.lengthBytes() >>> PAGE_SHIFT;
        this.refCounts = new AtomicIntegerArray(frameCount);
        this.ownerTokens = new int[frameCount];
        this.freeStack = new int[frameCount];
        // Lowest frames first: the stack pops from the top.
        for (int i = 0; i < frameCount; i++)
        {
            freeStack[i] = frameCount - 1 - i;
        }
        this.freeTop = frameCount;
    }

    /** {@code frameCount} zeroed frames of off-heap memory. */
    public static MachineMemory offHeap(final int frameCount)
    {
        return new MachineMemory(SharedMemory.allocateOffHeap(checkFrameCount(frameCount) << PAGE_SHIFT));
    }

    /** {@code frameCount} zeroed frames in a new memory-mapped {@code file} (which must not exist yet). */
    public static MachineMemory mappedFile(final Path file, final int frameCount)
    {
        return new MachineMemory(SharedMemory.createFile(file, checkFrameCount(frameCount) << PAGE_SHIFT));
    }

    private static int checkFrameCount(final int frameCount)
    {
        if (frameCount <= 0 || frameCount > (Integer.MAX_VALUE >>> PAGE_SHIFT))
        {
            throw new IllegalArgumentException(
                "machine frames must be in 1.." + (Integer.MAX_VALUE >>> PAGE_SHIFT) + ": " + frameCount);
        }
        return frameCount;
    }

    /** Total frames of the machine. */
    public int frameCount()
    {
        return frameCount;
    }

    /** Frames in the free pool now. */
    public synchronized int freeFrameCount()
    {
        return freeTop;
    }

    /** The backing file, or {@code null} when off-heap. */
    public Path path()
    {
        return region.path();
    }

    /**
     * The whole region. Hypervisor use only: guests get views of their own frames through {@link Physmap} and of
     * granted frames through grant mappings, never this.
     */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /** Whether {@code mfn} names a frame of this machine. */
    public boolean isValidMfn(final int mfn)
    {
        return mfn >= 0 && mfn < frameCount;
    }

    /** Offset of frame {@code mfn} in {@link #buffer()}. */
    public int frameOffset(final int mfn)
    {
        checkMfn(mfn);
        return mfn << PAGE_SHIFT;
    }

    /**
     * Takes a zeroed frame from the free pool with reference count 1, owned by {@code ownerToken}.
     * Pair with {@link #releaseFrame}.
     *
     * @return the frame, or {@link #INVALID_MFN} if none is free.
     */
    public synchronized int claimFrame(final int ownerToken)
    {
        if (closed || freeTop == 0)
        {
            return INVALID_MFN;
        }
        final int mfn = freeStack[--freeTop];
        ownerTokens[mfn] = ownerToken;
        // anyone retaining this frame later sees the count after the owner is recorded (monitor + volatile).
        refCounts.set(mfn, 1);
        return mfn;
    }

    /**
     * Takes {@code count} consecutive zeroed frames from the free pool, each with reference count 1 and owned by
     * {@code ownerToken} (a machine-contiguous extent, as {@code XENMEM_increase_reservation} with an
     * {@code extent_order} allocates). Each frame is released on its own with {@link #releaseFrame}. Control path:
     * a scan of the free pool.
     *
     * @return the first frame, or {@link #INVALID_MFN} if no run of {@code count} free frames exists.
     */
    public synchronized int claimContiguous(final int ownerToken, final int count)
    {
        if (count < 1)
        {
            throw new IllegalArgumentException("count must be positive: " + count);
        }
        if (closed || freeTop < count)
        {
            return INVALID_MFN;
        }
        final boolean[] free = new boolean[frameCount];
        for (int i = 0; i < freeTop; i++)
        {
            free[freeStack[i]] = true;
        }
        int first = -1;
        for (int mfn = 0, run = 0; mfn < frameCount; mfn++)
        {
            run = free[mfn] ? run + 1 : 0;
            if (run == count)
            {
                first = mfn - count + 1;
                break;
            }
        }
        if (first < 0)
        {
            return INVALID_MFN;
        }
        // drop the run from the free stack, keeping the others in their order
        int kept = 0;
        for (int i = 0; i < freeTop; i++)
        {
            final int mfn = freeStack[i];
            if (mfn < first || mfn >= first + count)
            {
                freeStack[kept++] = mfn;
            }
        }
        freeTop = kept;
        for (int mfn = first; mfn < first + count; mfn++)
        {
            ownerTokens[mfn] = ownerToken;
            refCounts.set(mfn, 1);
        }
        return first;
    }

    /**
     * Adds a reference to a frame the caller already holds a reference to (directly, or through the lock that
     * guards the holder, e.g. the owner's {@link Physmap}). Pair with {@link #releaseFrame}.
     *
     * @throws IllegalStateException if the frame is free: a hypervisor bug, never a guest's doing.
     */
    public void retainFrame(final int mfn)
    {
        checkMfn(mfn);
        final int before = refCounts.getAndIncrement(mfn);
        if (before <= 0)
        {
            refCounts.getAndDecrement(mfn);
            throw new IllegalStateException("retain of free frame " + mfn);
        }
    }

    /**
     * Drops one reference; the last one scrubs the frame and returns it to the free pool.
     *
     * @throws IllegalStateException if the frame is already free: a hypervisor bug.
     */
    public void releaseFrame(final int mfn)
    {
        checkMfn(mfn);
        final int after = refCounts.decrementAndGet(mfn);
        if (after == 0)
        {
            // nobody can reach the frame any more: scrub it so its next owner sees zeros, never old data.
            buffer.setMemory(mfn << PAGE_SHIFT, PAGE_SIZE_BYTES, (byte)0);
            free(mfn);
        }
        else if (after < 0)
        {
            refCounts.getAndIncrement(mfn);
            throw new IllegalStateException("release of free frame " + mfn);
        }
    }

    private synchronized void free(final int mfn)
    {
        ownerTokens[mfn] = NO_OWNER;
        freeStack[freeTop++] = mfn;
    }

    /** References to {@code mfn} now (0 when free). */
    public int refCount(final int mfn)
    {
        checkMfn(mfn);
        return refCounts.get(mfn);
    }

    /** Owner token of {@code mfn} ({@link #NO_OWNER} when free). */
    public synchronized int ownerToken(final int mfn)
    {
        checkMfn(mfn);
        return ownerTokens[mfn];
    }

    /** How many frames {@code ownerToken} still owns (allocated, not yet freed). Diagnostics. */
    public synchronized int countFramesOwnedBy(final int ownerToken)
    {
        int count = 0;
        for (int mfn = 0; mfn < frameCount; mfn++)
        {
            if (ownerTokens[mfn] == ownerToken)
            {
                count++;
            }
        }
        return count;
    }

    /** A new view of exactly frame {@code mfn}. */
    public UnsafeBuffer newFrameView(final int mfn)
    {
        return new UnsafeBuffer(frameAddress(mfn), PAGE_SIZE_BYTES);
    }

    /** A new view of the {@code count} consecutive frames from {@code firstMfn}. */
    public UnsafeBuffer newAreaView(final int firstMfn, final int count)
    {
        checkMfn(firstMfn);
        checkMfn(firstMfn + count - 1);
        return new UnsafeBuffer(frameAddress(firstMfn), count * PAGE_SIZE_BYTES);
    }

    /**
     * A new direct {@link ByteBuffer} over the {@code count} consecutive frames from {@code firstMfn} (position 0,
     * limit and capacity {@code count * 4096}): what a device reaches a frame through by its bus address
     * ({@code GNTMAP_device_map}), so that positional file I/O reads and writes the frames without a copy. Unlike the
     * views above it can never be re-pointed: the caller must keep the frames alive while it is in use. Hypervisor
     * use only. Control path: one small object per call.
     *
     * @throws IllegalArgumentException if {@code count} is not positive or a frame is outside the machine.
     */
    public ByteBuffer newDeviceBuffer(final int firstMfn, final int count)
    {
        checkMfn(firstMfn);
        if (count < 1 || count > frameCount - firstMfn)
        {
            throw new IllegalArgumentException(
                count + " frames from mfn " + firstMfn + " are not within 0.." + (frameCount - 1));
        }
        // slice(index, length) reads the region's address only: it never touches the shared buffer's position
        return region.byteBuffer().slice(firstMfn << PAGE_SHIFT, count << PAGE_SHIFT);
    }

    /** Re-points {@code view} at frame {@code mfn}. */
    public void wrapFrameView(final UnsafeBuffer view, final int mfn)
    {
        view.wrap(frameAddress(mfn), PAGE_SIZE_BYTES);
    }

    private long frameAddress(final int mfn)
    {
        checkMfn(mfn);
        return baseAddress + ((long)mfn << PAGE_SHIFT);
    }

    private void checkMfn(final int mfn)
    {
        if (!isValidMfn(mfn))
        {
            throw new IllegalArgumentException("mfn out of range 0.." + (frameCount - 1) + ": " + mfn);
        }
    }

    /**
     * Unmaps a file-backed region at once. Call only after every domain is destroyed; views still held become
     * invalid. Off-heap memory is freed by the garbage collector.
     */
    @Override
    public void close()
    {
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }
        region.close();
    }
}
