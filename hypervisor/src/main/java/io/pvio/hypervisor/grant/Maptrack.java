package io.pvio.hypervisor.grant;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.memory.MachineMemory;
import io.pvio.hypervisor.memory.ReadOnlyFrame;
import io.pvio.hypervisor.memory.SinkFrame;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The grant mappings one domain holds (Xen's maptrack): a handle per mapping, at most {@link #limit()} at once.
 * Each entry remembers the granting domain, the reference, the machine frame (retained) and whether it is read-only,
 * and owns the views handed to the mapper: a writable {@link AtomicBuffer} for a writable mapping, a
 * {@link ReadOnlyFrame} for a read-only one. Unmapping re-points both at the mapper's {@link SinkFrame}.
 * <p>
 * A handle's view objects are created on its first use and reused by later mappings on the same handle, so a
 * steady map/unmap cycle allocates nothing. The writable buffer and the buffer inside the read-only view are
 * distinct objects, and the writable one points at a frame only while the handle holds a writable mapping: a
 * writable view kept from an earlier mapping on a handle must never reach a read-only grant mapped on it later.
 * <p>
 * Thread-safe: every method holds this object's monitor. Never held while taking another domain's lock.
 */
public final class Maptrack
{
    /**
     * The most frames one {@link #deviceBuffer} may span: blkif's largest request, 4096 indirect segments of a page
     * each (16 MiB).
     */
    public static final int MAX_DEVICE_BUFFER_PAGES = 4096;

    private final MachineMemory memory;
    private final SinkFrame sink;
    private final Domain[] granters;
    private final int[] refs;
    private final int[] mfns;
    private final boolean[] readOnly;
    private final UnsafeBuffer[] views;
    private final UnsafeBuffer[] readOnlyBuffers;
    private final ReadOnlyFrame[] readOnlyViews;
    /** For each handle, the view of a run of mapped frames it is part of ({@link #areaView}), revoked on unmap. */
    private final UnsafeBuffer[] areaViews;
    /** For each handle in an area, every handle of that area (the same array), to forget the area on revocation. */
    private final int[][] areaHandles;
    private final int[] freeHandles;
    private int freeCount;

    /**
     * @param limit  the most mappings held at once.
     * @param memory machine memory, to point views at frames.
     * @param sink   where views of unmapped frames point.
     */
    public Maptrack(final int limit, final MachineMemory memory, final SinkFrame sink)
    {
        this.memory = memory;
        this.sink = sink;
        this.granters = new Domain[limit];
        this.refs = new int[limit];
        this.mfns = new int[limit];
        this.readOnly = new boolean[limit];
        this.views = new UnsafeBuffer[limit];
        this.readOnlyBuffers = new UnsafeBuffer[limit];
        this.readOnlyViews = new ReadOnlyFrame[limit];
        this.areaViews = new UnsafeBuffer[limit];
        this.areaHandles = new int[limit][];
        this.freeHandles = new int[limit];
        for (int i = 0; i < limit; i++)
        {
            freeHandles[i] = limit - 1 - i;
        }
        this.freeCount = limit;
    }

    public int limit()
    {
        return granters.length;
    }

    /** Mappings held now. */
    public synchronized int inUse()
    {
        return granters.length - freeCount;
    }

    /** A free handle, reserved until {@link #fill} or {@link #abort}; -1 if the limit is reached. */
    synchronized int claimHandle()
    {
        return freeCount == 0 ? -1 : freeHandles[--freeCount];
    }

    /** Gives back a handle that {@link #claimHandle} returned and was never filled. */
    synchronized void abort(final int handle)
    {
        freeHandles[freeCount++] = handle;
    }

    /** Records a mapping on a claimed handle and points its view at {@code mfn}. */
    synchronized void fill(final int handle, final Domain granter, final int ref, final int mfn, final boolean ro)
    {
        granters[handle] = granter;
        refs[handle] = ref;
        mfns[handle] = mfn;
        readOnly[handle] = ro;
        if (views[handle] == null)
        {
            views[handle] = memory.newFrameView(mfn);
            readOnlyBuffers[handle] = memory.newFrameView(mfn);
            readOnlyViews[handle] = new ReadOnlyFrame(readOnlyBuffers[handle]);
        }
        else
        {
            memory.wrapFrameView(readOnlyBuffers[handle], mfn);
            memory.wrapFrameView(views[handle], mfn);
        }
        if (ro)
        {
            // GNTMAP_readonly: a writable view handed out for an earlier mapping on this handle stays on the sink.
            sink.revoke(views[handle]);
        }
    }

    /** Whether {@code handle} names a live mapping. */
    synchronized boolean isLive(final int handle)
    {
        return handle >= 0 && handle < granters.length && granters[handle] != null;
    }

    synchronized Domain granter(final int handle)
    {
        return granters[handle];
    }

    synchronized int ref(final int handle)
    {
        return refs[handle];
    }

    synchronized int mfn(final int handle)
    {
        return mfns[handle];
    }

    synchronized boolean isReadOnly(final int handle)
    {
        return readOnly[handle];
    }

    /** Forgets a live mapping and revokes its views; the caller unpins and releases the frame. */
    synchronized void free(final int handle)
    {
        granters[handle] = null;
        sink.revoke(views[handle]);
        sink.revoke(readOnlyBuffers[handle]);
        final UnsafeBuffer area = areaViews[handle];
        if (area != null)
        {
            // the whole area goes with any of its mappings, and every handle of it forgets it
            sink.revokeArea(area);
            for (final int member : areaHandles[handle])
            {
                if (areaViews[member] == area)
                {
                    areaViews[member] = null;
                    areaHandles[member] = null;
                }
            }
        }
        freeHandles[freeCount++] = handle;
    }

    /**
     * The writable view of a writable mapping: 4 KiB of the granted frame, offsets from 0.
     *
     * @return the view, or {@code null} if {@code handle} is not a live writable mapping.
     */
    public synchronized AtomicBuffer writableView(final int handle)
    {
        return isLive(handle) && !readOnly[handle] ? views[handle] : null;
    }

    /**
     * One writable view over the frames of {@code handles[0 .. count)}, in that order, as a back end maps a multi-page
     * ring into one virtual range: each must be a live writable mapping of this domain, and their frames must be
     * consecutive (pvio has no page tables to join scattered frames). Revoked when any of the handles is unmapped.
     * A new view per call: control path.
     *
     * @return the view, or {@code null} if a handle is not a live writable mapping, is already part of a live area,
     * or the frames are not consecutive (or more than {@link SinkFrame#MAX_AREA_PAGES}).
     */
    public synchronized AtomicBuffer areaView(final int[] handles, final int count)
    {
        if (count < 1 || count > SinkFrame.MAX_AREA_PAGES || count > handles.length)
        {
            return null;
        }
        if (!isWritableRun(handles, count))
        {
            return null;
        }
        for (int i = 0; i < count; i++)
        {
            // one live area per mapping: a second, overlapping one could outlive the frame (only one is revoked)
            if (areaViews[handles[i]] != null)
            {
                return null;
            }
        }
        final UnsafeBuffer view = memory.newAreaView(mfns[handles[0]], count);
        final int[] members = java.util.Arrays.copyOf(handles, count);
        for (int i = 0; i < count; i++)
        {
            areaViews[handles[i]] = view;
            areaHandles[handles[i]] = members;
        }
        return view;
    }

    /**
     * A new direct {@link ByteBuffer} over the frames of {@code handles[0 .. count)}, in that order: the device's
     * view of granted pages ({@code GNTMAP_device_map}), which positional file I/O fills or drains without a copy.
     * Each handle must be a live writable mapping of this domain and their frames must be consecutive. Unlike the
     * views above, it is <b>not revoked on unmap</b> (a {@code ByteBuffer} cannot be re-pointed): the caller stops
     * using it before it unmaps any of the handles. While they stay mapped the frames stay retained, so it never
     * reaches a frame that left the granter. A new object per call: control path, callers cache it.
     *
     * @return the buffer ({@code count * 4096} bytes, position 0), or {@code null} if {@code count} is outside
     * 1..{@link #MAX_DEVICE_BUFFER_PAGES} or longer than {@code handles}, a handle is not a live writable mapping,
     * or the frames are not consecutive.
     */
    public synchronized ByteBuffer deviceBuffer(final int[] handles, final int count)
    {
        if (count < 1 || count > MAX_DEVICE_BUFFER_PAGES || count > handles.length)
        {
            return null;
        }
        return isWritableRun(handles, count) ? memory.newDeviceBuffer(mfns[handles[0]], count) : null;
    }

    /**
     * Whether {@code handles[0 .. count)} are live writable mappings of consecutive frames, in that order: what one
     * view (an area or a device buffer) may span, since pvio has no page tables to join scattered frames.
     */
    private boolean isWritableRun(final int[] handles, final int count)
    {
        if (!isLive(handles[0]))
        {
            return false;
        }
        final int firstMfn = mfns[handles[0]];
        for (int i = 0; i < count; i++)
        {
            final int handle = handles[i];
            if (!isLive(handle) || readOnly[handle] || mfns[handle] != firstMfn + i)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The machine address of a live mapping's frame ({@code mfn << 12}, Xen's {@code dev_bus_addr}): mappings whose
     * bus addresses follow one another page by page can be reached by one {@link #deviceBuffer}.
     *
     * @return the address, or -1 if {@code handle} is not a live mapping.
     */
    public synchronized long busAddress(final int handle)
    {
        return isLive(handle) ? (long)mfns[handle] << MachineMemory.PAGE_SHIFT : -1;
    }

    /**
     * The read-only view of a live mapping (read-only or writable).
     *
     * @return the view, or {@code null} if {@code handle} is not a live mapping.
     */
    public synchronized ReadOnlyFrame readOnlyView(final int handle)
    {
        return isLive(handle) ? readOnlyViews[handle] : null;
    }
}
