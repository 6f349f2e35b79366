package io.pvio.examples.bench.hypervisor;

import io.pvio.hypervisor.guest.EventHandler;

import java.util.concurrent.atomic.AtomicLong;

/** Counts the events handled on a port. Single writer (the vCPU dispatching them); any thread may read. */
public final class EventCount implements EventHandler
{
    private final AtomicLong events = new AtomicLong();

    @Override
    public void onEvent(final int port)
    {
        // readers see every count in order; only this vCPU's thread writes.
        events.lazySet(events.getPlain() + 1);
    }

    /** Events handled so far. */
    public long events()
    {
        return events.get();
    }
}
