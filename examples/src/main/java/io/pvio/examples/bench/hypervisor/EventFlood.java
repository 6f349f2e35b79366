package io.pvio.examples.bench.hypervisor;

import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.hypercall.EventChannelOp;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Dom0 (the calling thread) sends on one interdomain channel as fast as it can; a domU on its own vCPU thread takes
 * the events. Sends coalesce while the port is pending, so the receiver handles fewer events than were sent;
 * {@link #drain()} waits until it has seen the last send.
 */
public final class EventFlood implements AutoCloseable
{
    /** Longest {@link #drain()} waits for the receiver before declaring the last event lost. */
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final BenchHypervisor hypervisor;
    private final BenchGuest receiver;
    private final EventChannelOp dom0Events;
    private final int port;
    private final AtomicLong sendsPublished = new AtomicLong();
    private final LastSendSeen handler = new LastSendSeen(sendsPublished);
    private long sends;

    private EventFlood(final ReceiverMode mode)
    {
        hypervisor = BenchHypervisor.boot();
        try
        {
            receiver = hypervisor.createGuest(mode.domainConfig("receiver"), mode == ReceiverMode.BLOCKING);
            dom0Events = hypervisor.dom0Hypercalls().eventChannel();
            final int receiverPort = receiver.domain().hypercalls().eventChannel().allocUnbound(DomainId.DOM0);
            port = dom0Events.bindInterdomain(receiver.domid(), receiverPort);
            receiver.dispatcher().bind(receiverPort, handler);
            hypervisor.unpause(receiver);
        }
        catch (final RuntimeException ex)
        {
            hypervisor.close();
            throw ex;
        }
    }

    /** Boots a hypervisor and starts the receiving domU (running). */
    public static EventFlood start(final ReceiverMode mode)
    {
        return new EventFlood(mode);
    }

    /**
     * One {@code EVTCHNOP_send} to the receiver. Allocation-free.
     *
     * @return the hypercall's status (0).
     */
    public int send()
    {
        // the receiver's handler reads this after taking the event: it then knows it has seen this send.
        sendsPublished.lazySet(++sends);
        return dom0Events.send(port);
    }

    /** Sends made so far. */
    public long sends()
    {
        return sends;
    }

    /** Events the receiver has handled so far. */
    public long deliveries()
    {
        return handler.deliveries();
    }

    /**
     * Waits until the receiver has handled an event taken after the last send.
     *
     * @throws IllegalStateException if that does not happen within 30 s (an event was lost).
     */
    public void drain()
    {
        final long deadlineNs = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (handler.sendsSeen() != sends)
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                throw new IllegalStateException(
                    "receiver saw send " + handler.sendsSeen() + " of " + sends + " after 30 s: event lost");
            }
            Thread.onSpinWait();
        }
    }

    /** Parks the receiver's vCPU (between JMH iterations). */
    public void pause()
    {
        hypervisor.pause(receiver);
    }

    /** Lets the receiver run again. */
    public void resume()
    {
        hypervisor.unpause(receiver);
    }

    /** Destroys the domains (joining the receiver's vCPU thread) and the hypervisor. */
    @Override
    public void close()
    {
        hypervisor.close();
    }
}
