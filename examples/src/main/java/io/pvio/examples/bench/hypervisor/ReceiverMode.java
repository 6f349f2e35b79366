package io.pvio.examples.bench.hypervisor;

import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.domain.VcpuScheduling;
import org.agrona.concurrent.BusySpinIdleStrategy;

import java.util.concurrent.TimeUnit;

/** How the receiving domU's vCPU waits for events: parked in {@code SCHEDOP_block}, or busy polling. */
public enum ReceiverMode
{
    /** The guest blocks ({@code SCHEDOP_block}) after every cycle; each event that finds it parked unparks it. */
    BLOCKING,
    /** The guest never blocks and its vCPU busy-spins between cycles, checking for an upcall each time. */
    POLLING;

    /** Blocked vCPUs re-check on their own only after this: every wake-up in a benchmark must be a real kick. */
    private static final long SAFETY_NET_NS = TimeUnit.SECONDS.toNanos(10);

    /** A one-vCPU THREADED domU that waits this way. */
    public DomainConfig domainConfig(final String name)
    {
        final DomainConfig config = new DomainConfig()
            .name(name)
            .memoryPages(8)
            .vcpuScheduling(VcpuScheduling.THREADED)
            .maxBlockNs(SAFETY_NET_NS);
        if (this == POLLING)
        {
            config.pollIdleStrategy(BusySpinIdleStrategy::new);
        }
        return config;
    }
}
