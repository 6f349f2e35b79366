package io.pvio.examples.bench.hypervisor;

import io.pvio.examples.bench.ring.RingBenchRunner;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Event-channel send-to-upcall latency, measured as a round trip: dom0 (the benchmark thread) sends, the domU's
 * upcall handler sends back on a second channel, dom0's upcall sees the reply. The domU's vCPU either blocks in
 * {@code SCHEDOP_block} and is woken by each event, or busy-polls ({@link ReceiverMode}). One way is reported as
 * half the round trip (the two directions are not symmetric: dom0 always polls).
 * <p>
 * A blocking domU is sent each request only once its vCPU is blocked again, and JMH's score includes that wait; the
 * auxiliary counters {@code sendToReplyNs} and {@code roundTrips} give the send-to-reply time alone (timed with
 * {@code System.nanoTime()} inside the operation), which the report shows next to it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 5, jvmArgsAppend = RingBenchRunner.AGRONA_EXPORTS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Threads(1)
public class EventLatencyBenchmark
{
    /**
     * The hypervisor, dom0's ports and the echo domU; also the auxiliary counters, counted over each iteration's
     * measured loop.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Echo
    {
        @Param({"BLOCKING", "POLLING"})
        ReceiverMode receiver;

        EventEcho echo;
        private long roundTripsAtStart;
        private long sendToReplyNsAtStart;
        private long roundTripsAtEnd;
        private long sendToReplyNsAtEnd;

        /** Boots the hypervisor and starts the echo domU. */
        @Setup(Level.Trial)
        public void start()
        {
            echo = EventEcho.start(receiver);
        }

        /** Pauses the domU between iterations, so a polling vCPU does not spin outside measurement. */
        @TearDown(Level.Iteration)
        public void pause()
        {
            roundTripsAtEnd = echo.roundTrips();
            sendToReplyNsAtEnd = echo.sendToReplyNs();
            echo.pause();
        }

        /** Lets the domU run for the iteration. */
        @Setup(Level.Iteration)
        public void resume()
        {
            roundTripsAtStart = echo.roundTrips();
            sendToReplyNsAtStart = echo.sendToReplyNs();
            echo.resume();
        }

        /** Destroys the domains, joining the vCPU thread. */
        @TearDown(Level.Trial)
        public void stop()
        {
            echo.close();
        }

        /** Round trips in the iteration. */
        public long roundTrips()
        {
            return roundTripsAtEnd - roundTripsAtStart;
        }

        /** Their send-to-reply nanoseconds, summed. */
        public long sendToReplyNs()
        {
            return sendToReplyNsAtEnd - sendToReplyNsAtStart;
        }
    }

    /** One round trip: send, echo upcall, reply upcall in dom0. */
    @Benchmark
    public long roundTrip(final Echo echo)
    {
        return echo.echo.roundTrip();
    }
}
