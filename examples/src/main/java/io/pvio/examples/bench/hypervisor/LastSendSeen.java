package io.pvio.examples.bench.hypervisor;

import io.pvio.hypervisor.guest.EventHandler;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The flooded guest's handler: counts deliveries and records how many sends the sender had published when the
 * event was taken, so the sender can tell when its last send has been seen (sends coalesce while pending).
 * Single writer (the receiving vCPU); any thread may read.
 */
final class LastSendSeen implements EventHandler
{
    private final AtomicLong sendsPublished;
    private final AtomicLong deliveries = new AtomicLong();
    private final AtomicLong sendsSeen = new AtomicLong();

    /** @param sendsPublished the sender's count, stored before each send. */
    LastSendSeen(final AtomicLong sendsPublished)
    {
        this.sendsPublished = sendsPublished;
    }

    @Override
    public void onEvent(final int port)
    {
        // the dispatcher cleared the pending bit (atomic, a full fence) before this: any send not counted here
        // set the bit again afterwards and raises another upcall.
        deliveries.lazySet(deliveries.getPlain() + 1);
        // released after the delivery count: a reader that sees this send seen also sees the delivery that saw it.
        sendsSeen.lazySet(sendsPublished.get());
    }

    /** Events handled (upcalls that found the port pending). */
    long deliveries()
    {
        return deliveries.get();
    }

    /** The sender's count as of the latest event handled. */
    long sendsSeen()
    {
        return sendsSeen.get();
    }
}
