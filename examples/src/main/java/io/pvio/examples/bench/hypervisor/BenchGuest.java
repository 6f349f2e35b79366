package io.pvio.examples.bench.hypervisor;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.guest.UpcallDispatcher;

/**
 * A domU built for a benchmark and its guest code.
 *
 * @param domain the domain, paused until the fixture has set up its channels.
 * @param code   the guest code of its one vCPU.
 */
public record BenchGuest(Domain domain, DispatchingGuest code)
{
    public int domid()
    {
        return domain.domid();
    }

    /** The guest's dispatcher over its own shared_info, to bind handlers on. */
    public UpcallDispatcher dispatcher()
    {
        return code.dispatcher();
    }
}
