package io.pvio.hypervisor.hypercall;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.grant.GrantCopyBatch;
import io.pvio.hypervisor.grant.GrantStatus;
import io.pvio.hypervisor.grant.GrantTables;
import io.pvio.hypervisor.memory.ReadOnlyFrame;
import io.pvio.hypervisor.grant.Maptrack;
import org.agrona.concurrent.AtomicBuffer;

import java.nio.ByteBuffer;

/**
 * {@code HYPERVISOR_grant_table_op} for one domain. Map, unmap and copy report per-element {@link GrantStatus}
 * values as Xen does (negative on failure) and allocate nothing in steady state.
 * <pre>{@code
 * final int handle = gnttab.mapGrantRef(frontDomid, ref, false);
 * if (handle < 0) { ...GrantStatus.message(handle)... }
 * try {
 *     final AtomicBuffer page = gnttab.writableView(handle);
 *     ...
 * } finally {
 *     gnttab.unmapGrantRef(handle);
 * }
 * }</pre>
 */
public final class GrantTableOp
{
    private final Domain self;
    private final GrantTables grantTables;

    GrantTableOp(final Domain self, final GrantTables grantTables)
    {
        this.self = self;
        this.grantTables = grantTables;
    }

    /**
     * {@code GNTTABOP_map_grant_ref}: maps grant {@code ref} of {@code granterDomid} (GNTMAP_host_map, plus
     * GNTMAP_readonly if {@code readOnly}). Sets {@code GTF_reading} (and {@code GTF_writing}) in the granter's entry
     * while mapped. Must be paired with {@link #unmapGrantRef}.
     *
     * @return a handle &gt;= 0, or a negative {@link GrantStatus}: BAD_DOMAIN, BAD_GNTREF, NO_SPACE (maptrack full),
     * GENERAL_ERROR (not granted to this domain, revoked, or read-only and asked writable).
     */
    public int mapGrantRef(final int granterDomid, final int ref, final boolean readOnly)
    {
        self.counters().increment(HypercallOp.GNTTAB_MAP_GRANT_REF);
        return grantTables.map(self, granterDomid, ref, readOnly);
    }

    /**
     * {@code GNTTABOP_unmap_grant_ref}: ends a mapping; its views now point at a private scratch page.
     *
     * @return OKAY, or BAD_HANDLE.
     */
    public int unmapGrantRef(final int handle)
    {
        self.counters().increment(HypercallOp.GNTTAB_UNMAP_GRANT_REF);
        return grantTables.unmap(self, handle);
    }

    /** {@code GNTTABOP_copy}: runs the batch, writing each element's status into it. */
    public void copy(final GrantCopyBatch batch)
    {
        self.counters().increment(HypercallOp.GNTTAB_COPY);
        grantTables.copy(self, batch);
    }

    /**
     * The frame of a writable mapping: 4 KiB, offsets from 0.
     *
     * @throws IllegalArgumentException if {@code handle} is not a live writable mapping of this domain.
     */
    public AtomicBuffer writableView(final int handle)
    {
        final AtomicBuffer view = self.maptrack().writableView(handle);
        if (view == null)
        {
            throw new IllegalArgumentException("handle " + handle + " is not a live writable mapping of d" +
                self.domid());
        }
        return view;
    }

    /**
     * One writable view over the frames of several live writable mappings, in order: how a back end sees a
     * multi-page ring (Linux's {@code xenbus_map_ring_valloc}). The frames must be machine-contiguous, as a front end
     * gets by allocating the ring as one extent. Revoked when any of the mappings is unmapped.
     *
     * @throws IllegalArgumentException if a handle is not a live writable mapping of this domain, is already part of
     * a live area view, or the frames are not consecutive.
     */
    public AtomicBuffer writableAreaView(final int[] handles, final int count)
    {
        final AtomicBuffer view = self.maptrack().areaView(handles, count);
        if (view == null)
        {
            throw new IllegalArgumentException(count + " mappings of d" + self.domid() +
                " are not live, writable, machine-contiguous and outside any other area");
        }
        return view;
    }

    /**
     * A direct {@link ByteBuffer} over the frames of several live writable mappings, in order, for storage I/O straight
     * into and out of granted pages: how a back end's device reaches them by bus address ({@code GNTMAP_device_map},
     * {@code dev_bus_addr}), one copy per byte instead of two. The frames must be machine-contiguous (check with
     * {@link #busAddress}). Position 0, capacity {@code count * 4096}.
     * <p>
     * <b>Not revoked on unmap</b>, unlike the {@link AtomicBuffer} views (which are re-pointed at a scratch page): the
     * caller must stop using the buffer, and drop it, before it unmaps any of the handles. While they stay mapped
     * the frames stay retained, so the buffer cannot reach a frame that left the granter; after an unmap it could.
     * The granter may change the pages at any moment. A new object per call: control path, cache it.
     * <pre>{@code
     * ByteBuffer pages = gnttab.deviceBuffer(handles, count); // kept while the handles stay mapped
     * channel.read(pages.clear(), positionBytes);
     * ...
     * pages = null;                                             // first forget it, then unmap
     * gnttab.unmapGrantRef(handles[0]);
     * }</pre>
     *
     * @throws IllegalArgumentException if {@code count} is outside 1..{@link Maptrack#MAX_DEVICE_BUFFER_PAGES} or
     * longer than {@code handles}, a handle is not a live writable mapping of this domain, or the frames are not
     * consecutive.
     */
    public ByteBuffer deviceBuffer(final int[] handles, final int count)
    {
        final ByteBuffer buffer = self.maptrack().deviceBuffer(handles, count);
        if (buffer == null)
        {
            throw new IllegalArgumentException(count + " mappings of d" + self.domid() +
                " are not live, writable and machine-contiguous (1.." + Maptrack.MAX_DEVICE_BUFFER_PAGES + " pages)");
        }
        return buffer;
    }

    /**
     * The machine address ({@code mfn << 12}) of a live mapping's frame, as Xen returns it in {@code dev_bus_addr}:
     * a back end checks that several mappings are machine-contiguous (addresses 4096 apart, in order) without a call
     * per request, then reaches them through one {@link #deviceBuffer}.
     *
     * @throws IllegalArgumentException if {@code handle} is not a live mapping of this domain.
     */
    public long busAddress(final int handle)
    {
        final long address = self.maptrack().busAddress(handle);
        if (address < 0)
        {
            throw new IllegalArgumentException("handle " + handle + " is not a live mapping of d" + self.domid());
        }
        return address;
    }

    /**
     * The frame of any live mapping, read-only.
     *
     * @throws IllegalArgumentException if {@code handle} is not a live mapping of this domain.
     */
    public ReadOnlyFrame readOnlyView(final int handle)
    {
        final ReadOnlyFrame view = self.maptrack().readOnlyView(handle);
        if (view == null)
        {
            throw new IllegalArgumentException("handle " + handle + " is not a live mapping of d" + self.domid());
        }
        return view;
    }

    /** {@code GNTTABOP_query_size}: the caller's grant table frames (512 references each). */
    public int querySize()
    {
        self.counters().increment(HypercallOp.GNTTAB_QUERY_SIZE);
        return self.grantTable().frameCount();
    }

    /** {@code GNTTABOP_setup_table}: the gfns of the caller's grant table frames, in order. */
    public long[] setupTable()
    {
        self.counters().increment(HypercallOp.GNTTAB_SETUP_TABLE);
        return self.startInfo().grantTableGfns();
    }

    /** Grant mappings this domain holds now. */
    public int mappingsHeld()
    {
        return self.maptrack().inUse();
    }
}
