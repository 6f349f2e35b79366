package io.pvio.hypervisor.evtchn;

import io.pvio.hypervisor.ScriptedGuest;
import io.pvio.hypervisor.TestHypervisor;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.domain.DomainState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many senders at full speed into one blocked-and-woken receiver for a couple of seconds. Half the senders
 * ping-pong (each send waits until the receiver's handler saw the previous one, so every send comes after a clear:
 * one lost event stalls that sender for ever); half flood (sends coalesce, but the last one must be seen).
 */
class EventStressTest
{
    private static final int SENDERS = 4;
    private static final long RUN_NS = TimeUnit.SECONDS.toNanos(2);
    /** A lost wake-up must stall the test, not hide behind the vCPU's periodic re-check. */
    private static final long NO_SAFETY_NET_NS = TimeUnit.MINUTES.toNanos(10);

    private final TestHypervisor t = TestHypervisor.boot(512);
    private final AtomicLongArray sent = new AtomicLongArray(SENDERS);
    private final AtomicLongArray seen = new AtomicLongArray(SENDERS);
    private final AtomicLongArray handlerCalls = new AtomicLongArray(SENDERS);

    @AfterEach
    void close()
    {
        t.close();
    }

    @Test
    void noEventIsLost()
    {
        final ScriptedGuest[] receiverGuest = new ScriptedGuest[1];
        final Domain receiver = t.create(new DomainConfig().name("receiver").memoryPages(8).maxBlockNs(NO_SAFETY_NET_NS)
            .image(ScriptedGuest.image(receiverGuest)));
        receiverGuest[0].duty = (vcpu) ->
        {
            vcpu.block();
            return 0;
        };

        final long stopAtNs = System.nanoTime() + RUN_NS;
        final Domain[] senders = new Domain[SENDERS];
        for (int i = 0; i < SENDERS; i++)
        {
            final ScriptedGuest[] senderGuest = new ScriptedGuest[1];
            senders[i] = t.create(new DomainConfig().name("sender" + i).memoryPages(8).maxBlockNs(NO_SAFETY_NET_NS)
                .image(ScriptedGuest.image(senderGuest)));
            final int receiverPort = receiver.hypercalls().eventChannel().allocUnbound(senders[i].domid());
            final int senderPort = senders[i].hypercalls().eventChannel().bindInterdomain(receiver.domid(), receiverPort);
            final int index = i;
            receiverGuest[0].dispatcher.bind(receiverPort, (port) ->
            {
                handlerCalls.incrementAndGet(index);
                seen.set(index, sent.get(index));
            });
            senderGuest[0].duty = i % 2 == 0 ?
                pingPong(index, senderPort, stopAtNs) : flood(index, senderPort, stopAtNs);
        }

        t.dom0Hypercalls().domctl().unpauseDomain(receiver.domid());
        for (final Domain sender : senders)
        {
            t.dom0Hypercalls().domctl().unpauseDomain(sender.domid());
        }

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
        {
            for (int i = 0; i < SENDERS; i++)
            {
                if (sent.get(i) == 0 || seen.get(i) != sent.get(i) || System.nanoTime() - stopAtNs < 0)
                {
                    return false;
                }
            }
            return true;
        });

        for (int i = 0; i < SENDERS; i++)
        {
            assertTrue(sent.get(i) > 10, "sender " + i + " sent " + sent.get(i));
            assertTrue(handlerCalls.get(i) <= sent.get(i), "never more handler calls than sends");
            if (i % 2 == 0)
            {
                assertEquals(sent.get(i), handlerCalls.get(i), "ping-pong: exactly one handler call per send");
            }
            assertEquals(DomainState.RUNNING, senders[i].state());
        }
        assertEquals(DomainState.RUNNING, receiver.state());
    }

    private java.util.function.ToIntFunction<io.pvio.hypervisor.domain.VcpuContext> pingPong(
        final int index, final int port, final long stopAtNs)
    {
        return (vcpu) ->
        {
            if (System.nanoTime() - stopAtNs >= 0)
            {
                vcpu.block();
                return 0;
            }
            if (seen.get(index) != sent.get(index))
            {
                return 0;
            }
            sent.incrementAndGet(index);
            vcpu.hypercalls().eventChannel().send(port);
            return 1;
        };
    }

    private java.util.function.ToIntFunction<io.pvio.hypervisor.domain.VcpuContext> flood(
        final int index, final int port, final long stopAtNs)
    {
        return (vcpu) ->
        {
            if (System.nanoTime() - stopAtNs >= 0)
            {
                vcpu.block();
                return 0;
            }
            sent.incrementAndGet(index);
            vcpu.hypercalls().eventChannel().send(port);
            return 1;
        };
    }
}
