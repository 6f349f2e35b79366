package io.pvio.hypervisor.grant;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.domain.DomainTable;
import io.pvio.hypervisor.memory.MachineMemory;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The grant table operations across domains: map and unmap ({@code GNTTABOP_map_grant_ref},
 * {@code GNTTABOP_unmap_grant_ref}) and copy ({@code GNTTABOP_copy}). Statuses are {@link GrantStatus} values, as
 * Xen reports them per element; nothing here throws at a guest or allocates on the copy path.
 * <p>
 * <b>Safety.</b> A granter is entered ({@link Domain#tryEnter}) only while its grant table is read or changed; the
 * granted frame itself is kept alive by a frame reference held by the mapping (or, for a copy, for the duration of
 * the element), so a granter destroyed while mapped keeps that frame until the last unmap, as Xen does. Lock order:
 * a domain's maptrack and a granter's grant table are never held together.
 */
public final class GrantTables
{
    private final DomainTable domains;
    private final MachineMemory memory;

    public GrantTables(final DomainTable domains, final MachineMemory memory)
    {
        this.domains = domains;
        this.memory = memory;
    }

    /**
     * {@code GNTTABOP_map_grant_ref} of {@code ref} granted by {@code granterDomid}.
     *
     * @param readOnly {@code GNTMAP_readonly}: map for reading only (required if the grant is read-only).
     * @return a handle (&gt;= 0; the view is then {@link Maptrack#writableView} or {@link Maptrack#readOnlyView}),
     * or a negative {@link GrantStatus}: BAD_DOMAIN (no such granter, or the granter or the caller is dying),
     * NO_SPACE (maptrack limit), BAD_GNTREF, GENERAL_ERROR
     * (not granted to the caller, or read-only and asked writable).
     */
    public int map(final Domain caller, final int granterDomid, final int ref, final boolean readOnly)
    {
        final Domain granter = lookupGranter(caller, granterDomid);
        if (granter == null)
        {
            return GrantStatus.BAD_DOMAIN;
        }
        // the caller stays entered until the mapping is recorded: its teardown (which ends every mapping it holds)
        // either waits for this map and then ends it, or has begun and this map fails. A dying caller maps nothing.
        final long callerStamp = caller.tryEnter();
        if (callerStamp == 0)
        {
            return GrantStatus.BAD_DOMAIN;
        }
        try
        {
            return mapEntered(caller, granter, ref, readOnly);
        }
        finally
        {
            caller.exit(callerStamp);
        }
    }

    private static int mapEntered(final Domain caller, final Domain granter, final int ref, final boolean readOnly)
    {
        final Maptrack maptrack = caller.maptrack();
        final int handle = maptrack.claimHandle();
        if (handle < 0)
        {
            return GrantStatus.NO_SPACE;
        }
        final long stamp = granter == caller ? 0 : granter.tryEnter();
        if (granter != caller && stamp == 0)
        {
            maptrack.abort(handle);
            return GrantStatus.BAD_DOMAIN;
        }
        try
        {
            final int mfn = granter.grantTable().pinAndRetain(ref, caller.domid(), readOnly);
            if (mfn < 0)
            {
                maptrack.abort(handle);
                return mfn;
            }
            maptrack.fill(handle, granter, ref, mfn, readOnly);
            return handle;
        }
        finally
        {
            if (granter != caller)
            {
                granter.exit(stamp);
            }
        }
    }

    /**
     * {@code GNTTABOP_unmap_grant_ref}: ends the mapping {@code handle}; its views now point at the caller's sink.
     *
     * @return OKAY, or BAD_HANDLE if {@code handle} is not a live mapping of the caller.
     */
    public int unmap(final Domain caller, final int handle)
    {
        final Maptrack maptrack = caller.maptrack();
        final Domain granter;
        final int ref;
        final int mfn;
        final boolean readOnly;
        synchronized (maptrack)
        {
            if (!maptrack.isLive(handle))
            {
                return GrantStatus.BAD_HANDLE;
            }
            granter = maptrack.granter(handle);
            ref = maptrack.ref(handle);
            mfn = maptrack.mfn(handle);
            readOnly = maptrack.isReadOnly(handle);
            maptrack.free(handle);
        }
        unpinAndRelease(granter, ref, readOnly, mfn);
        return GrantStatus.OKAY;
    }

    /**
     * Teardown: ends every mapping a dying domain holds.
     *
     * @return the mappings ended.
     */
    public int releaseAllMappings(final Domain dying)
    {
        int released = 0;
        for (int handle = 0; handle < dying.maptrack().limit(); handle++)
        {
            if (unmap(dying, handle) == GrantStatus.OKAY)
            {
                released++;
            }
        }
        return released;
    }

    /**
     * {@code GNTTABOP_copy}: runs every element of {@code batch} in order and writes its status. Allocation-free.
     */
    public void copy(final Domain caller, final GrantCopyBatch batch)
    {
        final int size = Math.min(batch.size(), batch.capacity());
        // a dying caller copies nothing: it no longer owns its domid (which may name a new domain later).
        final long callerStamp = caller.tryEnter();
        if (callerStamp == 0)
        {
            for (int i = 0; i < size; i++)
            {
                batch.status(i, GrantStatus.BAD_DOMAIN);
            }
            return;
        }
        try
        {
            for (int i = 0; i < size; i++)
            {
                batch.status(i, copyOne(caller, batch, i));
            }
        }
        finally
        {
            caller.exit(callerStamp);
        }
    }

    private int copyOne(final Domain caller, final GrantCopyBatch batch, final int i)
    {
        // one read per field: the batch is the caller's memory and may change under us.
        final int flags = batch.flags(i);
        final long source = batch.source(i);
        final int sourceDomid = batch.sourceDomid(i);
        final int sourceOffset = batch.sourceOffset(i);
        final long dest = batch.dest(i);
        final int destDomid = batch.destDomid(i);
        final int destOffset = batch.destOffset(i);
        final int length = batch.length(i);

        if ((flags & ~(GrantCopyBatch.GNTCOPY_SOURCE_GREF | GrantCopyBatch.GNTCOPY_DEST_GREF)) != 0 ||
            !withinFrame(sourceOffset, length) || !withinFrame(destOffset, length))
        {
            // grant_table.h: GNTST_bad_copy_arg, copy arguments cross page boundary.
            return GrantStatus.BAD_COPY_ARG;
        }
        final boolean sourceIsGrant = (flags & GrantCopyBatch.GNTCOPY_SOURCE_GREF) != 0;
        final boolean destIsGrant = (flags & GrantCopyBatch.GNTCOPY_DEST_GREF) != 0;
        final Domain sourceGranter = sourceIsGrant ? lookupGranter(caller, sourceDomid) : null;
        final Domain destGranter = destIsGrant ? lookupGranter(caller, destDomid) : null;
        if ((sourceIsGrant && sourceGranter == null) || (destIsGrant && destGranter == null))
        {
            return GrantStatus.BAD_DOMAIN;
        }

        final int sourceMfn = sourceIsGrant ?
            acquireGrant(caller, sourceGranter, source, true) : acquireLocal(caller, sourceDomid, source);
        if (sourceMfn < 0)
        {
            return sourceMfn;
        }
        final int destMfn = destIsGrant ?
            acquireGrant(caller, destGranter, dest, false) : acquireLocal(caller, destDomid, dest);
        if (destMfn >= 0)
        {
            // plain copy: the unpins below are full fences (compare-and-swap on the entries), so the granters see
            // every byte copied before they see GTF_reading/GTF_writing cleared.
            final AtomicBuffer buffer = memory.buffer();
            buffer.putBytes(
                memory.frameOffset(destMfn) + destOffset, buffer, memory.frameOffset(sourceMfn) + sourceOffset, length);
            release(destGranter, dest, false, destMfn);
        }
        release(sourceGranter, source, true, sourceMfn);
        return destMfn < 0 ? destMfn : GrantStatus.OKAY;
    }

    private int acquireGrant(final Domain caller, final Domain granter, final long ref, final boolean readOnly)
    {
        if (ref < 0 || ref > 0xFFFF_FFFFL)
        {
            return GrantStatus.BAD_GNTREF;
        }
        final long stamp = granter.tryEnter();
        if (stamp == 0)
        {
            return GrantStatus.BAD_DOMAIN;
        }
        try
        {
            return granter.grantTable().pinAndRetain((int)ref, caller.domid(), readOnly);
        }
        finally
        {
            granter.exit(stamp);
        }
    }

    private static int acquireLocal(final Domain caller, final int domid, final long gfn)
    {
        if (domid != DomainId.SELF && domid != caller.domid())
        {
            // Xen: a non-grant side must be the caller's own memory.
            return GrantStatus.PERMISSION_DENIED;
        }
        final int mfn = caller.physmap().retainFrame(gfn);
        return mfn == MachineMemory.INVALID_MFN ? GrantStatus.BAD_PAGE : mfn;
    }

    private void release(final Domain granter, final long ref, final boolean readOnly, final int mfn)
    {
        if (granter == null)
        {
            memory.releaseFrame(mfn);
        }
        else
        {
            unpinAndRelease(granter, (int)ref, readOnly, mfn);
        }
    }

    private void unpinAndRelease(final Domain granter, final int ref, final boolean readOnly, final int mfn)
    {
        final long stamp = granter.tryEnter();
        if (stamp != 0)
        {
            try
            {
                granter.grantTable().unpin(ref, readOnly);
            }
            finally
            {
                granter.exit(stamp);
            }
        }
        // a dead granter's pins died with it; the frame reference is ours either way.
        memory.releaseFrame(mfn);
    }

    private Domain lookupGranter(final Domain caller, final int granterDomid)
    {
        return granterDomid == DomainId.SELF || granterDomid == caller.domid() ? caller : domains.get(granterDomid);
    }

    private static boolean withinFrame(final int offset, final int length)
    {
        return offset >= 0 && length >= 0 && (long)offset + length <= MachineMemory.PAGE_SIZE_BYTES;
    }
}
