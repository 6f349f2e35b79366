package io.pvio.hypervisor.domain;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

/**
 * Tears down domains that shut themselves down or crashed. Their own vCPU threads cannot do it (a thread cannot wait
 * for itself to stop), so they queue the domain here and this agent, on the hypervisor's thread, stops the vCPUs and
 * reclaims everything. The domain stays in the table, {@link DomainState#DEAD} with its shutdown reason, until dom0
 * destroys it.
 */
public final class DomainReaper implements Agent
{
    private final DomainManager manager;
    private final ManyToOneConcurrentLinkedQueue<Domain> queue = new ManyToOneConcurrentLinkedQueue<>();

    DomainReaper(final DomainManager manager)
    {
        this.manager = manager;
    }

    /** Queues {@code domain}'s teardown. Any thread. */
    void enqueue(final Domain domain)
    {
        queue.offer(domain);
    }

    /** Domains waiting to be torn down. */
    public int pending()
    {
        return queue.size();
    }

    @Override
    public int doWork()
    {
        final Domain domain = queue.poll();
        if (domain == null)
        {
            return 0;
        }
        manager.teardown(domain);
        return 1;
    }

    @Override
    public String roleName()
    {
        return "pvio-reaper";
    }
}
