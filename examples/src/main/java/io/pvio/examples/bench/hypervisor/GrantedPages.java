package io.pvio.examples.bench.hypervisor;

import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.domain.VcpuScheduling;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.memory.MachineMemory;
import org.agrona.concurrent.AtomicBuffer;

/**
 * A hypervisor with a granter domU that has granted dom0 {@code pageCount} of its pages, each filled with a known
 * pattern ({@link #patternByte}). The granter's vCPU is MANUAL and never runs: it only owns the pages and the grant
 * table, which this fixture writes as its guest code would.
 */
public final class GrantedPages implements AutoCloseable
{
    /** The granter's first data page (after shared_info and its grant frame). */
    public static final long FIRST_DATA_GFN = 2;

    private final BenchHypervisor hypervisor;
    private final BenchGuest granter;
    private final int[] refs;

    private GrantedPages(final int pageCount, final boolean readOnly)
    {
        hypervisor = BenchHypervisor.boot();
        try
        {
            granter = hypervisor.createGuest(new DomainConfig()
                .name("granter")
                .memoryPages((int)FIRST_DATA_GFN + pageCount)
                .vcpuScheduling(VcpuScheduling.MANUAL), false);
            final GrantAccess grants = new GrantAccess(granter.domain().guestMemory(), granter.domain().startInfo());
            refs = new int[pageCount];
            for (int page = 0; page < pageCount; page++)
            {
                final long gfn = FIRST_DATA_GFN + page;
                final AtomicBuffer frame = granter.domain().guestMemory().frame(gfn);
                for (int offset = 0; offset < MachineMemory.PAGE_SIZE_BYTES; offset++)
                {
                    frame.putByte(offset, patternByte(page, offset));
                }
                refs[page] = grants.grantAccess(DomainId.DOM0, gfn, readOnly);
            }
        }
        catch (final RuntimeException ex)
        {
            hypervisor.close();
            throw ex;
        }
    }

    /**
     * Boots a hypervisor and grants dom0 {@code pageCount} patterned pages.
     *
     * @param readOnly whether the grants are read-only.
     */
    public static GrantedPages grant(final int pageCount, final boolean readOnly)
    {
        return new GrantedPages(pageCount, readOnly);
    }

    /** The byte at {@code offset} of granted page {@code page}. */
    public static byte patternByte(final int page, final int offset)
    {
        return (byte)(page * 31 + offset * 7 + 1);
    }

    public BenchHypervisor hypervisor()
    {
        return hypervisor;
    }

    public int granterDomid()
    {
        return granter.domid();
    }

    /** The grant reference of page {@code page}. */
    public int ref(final int page)
    {
        return refs[page];
    }

    public int pageCount()
    {
        return refs.length;
    }

    /** Destroys the domains and the hypervisor. */
    @Override
    public void close()
    {
        hypervisor.close();
    }
}
