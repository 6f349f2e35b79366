package io.pvio.examples.bench.hypervisor;

import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.domain.DomainState;
import io.pvio.hypervisor.domain.Vcpu;
import io.pvio.hypervisor.hypercall.EventChannelOp;

/**
 * Event round trips between dom0 (the calling thread) and an echo domU on its own vCPU thread, over two
 * interdomain channels: dom0 sends on the request channel; the domU's upcall handler sends on the reply channel;
 * dom0's upcall (run by the caller through its MANUAL vCPU) counts the reply. The domU's vCPU either blocks
 * between events or busy-polls ({@link ReceiverMode}).
 * <p>
 * With a blocking domU every request waits first until the domU's vCPU is blocked and its thread parked (else a
 * request sent right after the reply would find it still awake and never measure a wake-up). That wait is part
 * of the round trip JMH times; the send-to-reply time alone is timed inside with {@code System.nanoTime()} and
 * summed in {@link #sendToReplyNs()}.
 * <pre>{@code
 * try (EventEcho echo = EventEcho.start(ReceiverMode.BLOCKING)) {
 *     echo.roundTrip();
 * }
 * }</pre>
 */
public final class EventEcho implements AutoCloseable
{
    private final BenchHypervisor hypervisor;
    private final BenchGuest echo;
    private final Vcpu echoVcpu;
    private final boolean awaitBlocked;
    private final EventChannelOp dom0Events;
    private final int requestPort;
    private final EventCount replies = new EventCount();
    private final long baselineReplies;
    private long expectedReplies;
    private long sendToReplyNs;

    private EventEcho(final ReceiverMode mode)
    {
        hypervisor = BenchHypervisor.boot();
        try
        {
            awaitBlocked = mode == ReceiverMode.BLOCKING;
            echo = hypervisor.createGuest(mode.domainConfig("echo"), awaitBlocked);
            echoVcpu = echo.domain().vcpu(0);
            dom0Events = hypervisor.dom0Hypercalls().eventChannel();
            final EventChannelOp echoEvents = echo.domain().hypercalls().eventChannel();

            final int echoRequestPort = echoEvents.allocUnbound(DomainId.DOM0);
            requestPort = dom0Events.bindInterdomain(echo.domid(), echoRequestPort);
            final int echoReplyPort = echoEvents.allocUnbound(DomainId.DOM0);
            final int replyPort = dom0Events.bindInterdomain(echo.domid(), echoReplyPort);

            echo.dispatcher().bind(echoRequestPort, new EchoHandler(echoEvents, echoReplyPort));
            hypervisor.dom0Dispatcher().bind(replyPort, replies);
            // bind_interdomain leaves the new local port pending (as Xen does): take that event before counting.
            hypervisor.pollDom0();
            baselineReplies = replies.events();
            expectedReplies = baselineReplies;
            hypervisor.unpause(echo);
        }
        catch (final RuntimeException ex)
        {
            hypervisor.close();
            throw ex;
        }
    }

    /** Boots a hypervisor and starts the echo domU (running). */
    public static EventEcho start(final ReceiverMode mode)
    {
        return new EventEcho(mode);
    }

    /**
     * One round trip: (with a blocking domU, wait until its vCPU is blocked;) send the request event, then run
     * dom0's vCPU until the reply has been handled. Allocation-free.
     *
     * @return round trips completed, this one included.
     * @throws IllegalStateException if the echo domain stopped running (it would never answer).
     */
    public long roundTrip()
    {
        if (awaitBlocked)
        {
            awaitEchoBlocked();
        }
        final long expected = ++expectedReplies;
        final long sentNs = System.nanoTime();
        dom0Events.send(requestPort);
        while (replies.events() != expected)
        {
            hypervisor.pollDom0();
            checkEchoRunning();
        }
        sendToReplyNs += System.nanoTime() - sentNs;
        return expected - baselineReplies;
    }

    private void awaitEchoBlocked()
    {
        // blocked as the hypervisor sees it, and its thread actually asleep: each send must pay a real wake-up.
        while (!echoVcpu.isBlocked() || !echo.code().isParked())
        {
            checkEchoRunning();
            Thread.onSpinWait();
        }
    }

    private void checkEchoRunning()
    {
        if (echo.domain().state() != DomainState.RUNNING)
        {
            throw new IllegalStateException("echo domain is " + echo.domain().state());
        }
    }

    /** Replies handled by dom0 since start (not counting the one bind_interdomain raises). */
    public long replies()
    {
        return replies.events() - baselineReplies;
    }

    /** Nanoseconds from each send to its reply being handled, summed over every round trip. */
    public long sendToReplyNs()
    {
        return sendToReplyNs;
    }

    /** Round trips completed. */
    public long roundTrips()
    {
        return expectedReplies - baselineReplies;
    }

    /** Parks the echo domU's vCPU (between JMH iterations). Call with no round trip in flight. */
    public void pause()
    {
        hypervisor.pause(echo);
    }

    /** Lets the echo domU run again. */
    public void resume()
    {
        hypervisor.unpause(echo);
    }

    /** Destroys the domains (joining the echo vCPU thread) and the hypervisor. */
    @Override
    public void close()
    {
        hypervisor.close();
    }
}
