package io.pvio.hypervisor.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Every domain by id. Lookups are lock-free (one volatile array read) and allocation-free; ids are reserved while a
 * domain is built and handed out round-robin above dom0, so a destroyed domain's id is not reused until every other
 * id has been.
 */
public final class DomainTable
{
    private final AtomicReferenceArray<Domain> domains = new AtomicReferenceArray<>(DomainId.FIRST_RESERVED);
    private final boolean[] inUse = new boolean[DomainId.FIRST_RESERVED];
    private int nextDomid = 1;
    private int count;

    /** The domain with {@code domid}, or {@code null} (also for reserved ids such as DOMID_SELF). */
    public Domain get(final int domid)
    {
        return DomainId.isOrdinary(domid) ? domains.get(domid) : null;
    }

    /** Reserves dom0's id at boot. */
    synchronized void reserveDom0()
    {
        if (inUse[DomainId.DOM0])
        {
            throw new IllegalStateException("dom0 exists");
        }
        inUse[DomainId.DOM0] = true;
        count++;
    }

    /**
     * Reserves a free id above dom0.
     *
     * @return the id, or -1 if all are in use.
     */
    synchronized int allocateId()
    {
        for (int i = 1; i < DomainId.FIRST_RESERVED; i++)
        {
            final int candidate = nextDomid;
            nextDomid = nextDomid + 1 == DomainId.FIRST_RESERVED ? 1 : nextDomid + 1;
            if (!inUse[candidate])
            {
                inUse[candidate] = true;
                count++;
                return candidate;
            }
        }
        return -1;
    }

    /** Makes a built domain visible to lookups; its id was reserved. */
    synchronized void publish(final Domain domain)
    {
        if (!inUse[domain.domid()])
        {
            throw new IllegalStateException("id " + domain.domid() + " was not reserved");
        }
        // lookups on any thread see the fully built domain (volatile store after construction).
        domains.set(domain.domid(), domain);
    }

    /** Frees {@code domid}, published or only reserved. */
    synchronized void remove(final int domid)
    {
        if (inUse[domid])
        {
            domains.set(domid, null);
            inUse[domid] = false;
            count--;
        }
    }

    /** Ids in use (including dead domains not yet destroyed). */
    public synchronized int count()
    {
        return count;
    }

    /** A snapshot of every published domain. */
    public synchronized List<Domain> snapshot()
    {
        final List<Domain> list = new ArrayList<>(count);
        for (int domid = 0; domid < DomainId.FIRST_RESERVED; domid++)
        {
            final Domain domain = domains.get(domid);
            if (domain != null)
            {
                list.add(domain);
            }
        }
        return list;
    }
}
