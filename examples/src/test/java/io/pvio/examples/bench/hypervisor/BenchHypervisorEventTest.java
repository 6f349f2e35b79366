package io.pvio.examples.bench.hypervisor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives the event benchmarks' JMH states without JMH: trial setup, two "iterations" of measured operations with
 * the iteration hooks around them, trial teardown. Every round trip must be answered, every flood must be seen to
 * its last send, the domU must park between iterations, and no vCPU thread may outlive the trial.
 */
class BenchHypervisorEventTest
{
    private static final int OPERATIONS = 1_000;

    private final Set<Thread> threadsBefore = VcpuThreads.live();

    @ParameterizedTest
    @EnumSource(ReceiverMode.class)
    void everyRoundTripIsAnsweredAndTheTrialLeavesNoThread(final ReceiverMode mode)
    {
        final EventLatencyBenchmark benchmark = new EventLatencyBenchmark();
        final EventLatencyBenchmark.Echo state = new EventLatencyBenchmark.Echo();
        state.receiver = mode;
        state.start();
        try
        {
            state.resume();
            final List<Thread> vcpus = new ArrayList<>(VcpuThreads.startedSince(threadsBefore));
            assertEquals(1, vcpus.size(), "the echo domU's one vCPU: " + vcpus);
            for (int i = 1; i <= OPERATIONS; i++)
            {
                assertEquals(i, benchmark.roundTrip(state));
            }
            state.pause();
            // between iterations the vCPU parks instead of spinning (a polling vCPU included).
            await().atMost(Duration.ofSeconds(30)).until(() -> isParked(vcpus.get(0)));
            state.resume();
            for (int i = 1; i <= OPERATIONS; i++)
            {
                benchmark.roundTrip(state);
            }
            state.pause();
            assertEquals(2 * OPERATIONS, state.echo.roundTrips());
            assertEquals(2 * OPERATIONS, state.echo.replies(), "exactly one reply per request");
            assertEquals(OPERATIONS, state.roundTrips(), "counted in the last iteration");
            assertTrue(state.sendToReplyNs() > 0);
        }
        finally
        {
            state.stop();
        }
        assertEquals(Set.of(), VcpuThreads.startedSince(threadsBefore));
    }

    @ParameterizedTest
    @EnumSource(ReceiverMode.class)
    void theReceiverSeesTheLastSendAndTheTrialLeavesNoThread(final ReceiverMode mode)
    {
        final EventSendBenchmark benchmark = new EventSendBenchmark();
        final EventSendBenchmark.Flood state = new EventSendBenchmark.Flood();
        state.receiver = mode;
        state.start();
        try
        {
            assertEquals(1, VcpuThreads.startedSince(threadsBefore).size(), "the receiver's one vCPU");
            for (int iteration = 0; iteration < 2; iteration++)
            {
                state.resume();
                for (int i = 0; i < OPERATIONS; i++)
                {
                    assertEquals(0, benchmark.send(state));
                }
                state.drain();
                assertEquals(OPERATIONS, state.sends());
                assertTrue(state.deliveries() >= 1 && state.deliveries() <= OPERATIONS,
                    "sends coalesce but the last is seen: " + state.deliveries() + " deliveries");
            }
        }
        finally
        {
            state.stop();
        }
        assertEquals(Set.of(), VcpuThreads.startedSince(threadsBefore));
    }

    private static boolean isParked(final Thread thread)
    {
        final Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }
}
