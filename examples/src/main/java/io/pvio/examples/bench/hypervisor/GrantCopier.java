package io.pvio.examples.bench.hypervisor;

import io.pvio.hypervisor.grant.GrantCopyBatch;
import io.pvio.hypervisor.hypercall.GrantTableOp;
import org.agrona.concurrent.AtomicBuffer;

/**
 * Dom0 copies from granted pages into its own memory with {@code GNTTABOP_copy}: one hypercall per operation, with
 * a batch of {@code batchSize} elements of {@code lengthBytes} each (element i: from offset 0 of granted page i to
 * offset 0 of dom0's gfn {@link BenchHypervisor#DOM0_FIRST_DATA_GFN} + i). The batch is refilled every time, as a
 * driver builds its {@code gnttab_copy} array per request.
 */
public final class GrantCopier implements AutoCloseable
{
    private final GrantedPages pages;
    private final GrantTableOp gnttab;
    private final GrantCopyBatch batch;
    private final int granterDomid;
    private final int lengthBytes;

    private GrantCopier(final int lengthBytes, final int batchSize)
    {
        if (batchSize < 1 || batchSize > BenchHypervisor.DOM0_PAGES - BenchHypervisor.DOM0_FIRST_DATA_GFN)
        {
            throw new IllegalArgumentException("batch size " + batchSize);
        }
        this.pages = GrantedPages.grant(batchSize, true);
        this.gnttab = pages.hypervisor().dom0Hypercalls().grantTable();
        this.batch = new GrantCopyBatch(batchSize);
        this.granterDomid = pages.granterDomid();
        this.lengthBytes = lengthBytes;
    }

    /** Boots a hypervisor with {@code batchSize} read-only pages granted to dom0. */
    public static GrantCopier start(final int lengthBytes, final int batchSize)
    {
        return new GrantCopier(lengthBytes, batchSize);
    }

    /**
     * One {@code GNTTABOP_copy} of the whole batch. Allocation-free.
     *
     * @return elements copied.
     * @throws IllegalStateException if any element failed.
     */
    public int copy()
    {
        batch.clear();
        for (int i = 0; i < pages.pageCount(); i++)
        {
            batch.addFromGrant(
                granterDomid, pages.ref(i), 0, BenchHypervisor.DOM0_FIRST_DATA_GFN + i, 0, lengthBytes);
        }
        gnttab.copy(batch);
        if (!batch.allOkay())
        {
            throw new IllegalStateException("grant copy failed: status " + batch.status(0));
        }
        return batch.size();
    }

    /** Dom0's destination frame of element {@code index}. */
    public AtomicBuffer destination(final int index)
    {
        return pages.hypervisor().dom0().guestMemory().frame(BenchHypervisor.DOM0_FIRST_DATA_GFN + index);
    }

    @Override
    public void close()
    {
        pages.close();
    }
}
