package io.pvio.examples.bench.hypervisor;

import io.pvio.hypervisor.grant.GrantStatus;
import io.pvio.hypervisor.hypercall.GrantTableOp;

/**
 * Dom0 maps one granted page, reads a word through the mapping and unmaps it ({@code GNTTABOP_map_grant_ref} then
 * {@code GNTTABOP_unmap_grant_ref}), read-only or read-write.
 */
public final class GrantMapping implements AutoCloseable
{
    private final GrantedPages pages;
    private final GrantTableOp gnttab;
    private final int granterDomid;
    private final int ref;
    private final boolean readOnly;

    private GrantMapping(final boolean readOnly)
    {
        this.pages = GrantedPages.grant(1, readOnly);
        this.gnttab = pages.hypervisor().dom0Hypercalls().grantTable();
        this.granterDomid = pages.granterDomid();
        this.ref = pages.ref(0);
        this.readOnly = readOnly;
    }

    /**
     * Boots a hypervisor with one page granted to dom0.
     *
     * @param readOnly grant and map read-only ({@code GNTMAP_readonly}) or read-write.
     */
    public static GrantMapping start(final boolean readOnly)
    {
        return new GrantMapping(readOnly);
    }

    /**
     * Map, read the page's first word through the mapping, unmap. Allocation-free.
     *
     * @return the word read.
     * @throws IllegalStateException if the map or unmap fails.
     */
    public long mapReadUnmap()
    {
        final int handle = gnttab.mapGrantRef(granterDomid, ref, readOnly);
        if (handle < 0)
        {
            throw new IllegalStateException("map failed: " + GrantStatus.message(handle));
        }
        final long word = gnttab.readOnlyView(handle).getLong(0);
        final int status = gnttab.unmapGrantRef(handle);
        if (status != GrantStatus.OKAY)
        {
            throw new IllegalStateException("unmap failed: " + GrantStatus.message(status));
        }
        return word;
    }

    /** Grant mappings dom0 holds now (0 between operations). */
    public int mappingsHeld()
    {
        return gnttab.mappingsHeld();
    }

    @Override
    public void close()
    {
        pages.close();
    }
}
