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
 * {@code EVTCHNOP_send} per second from one dom0 thread to a domU on an interdomain port. Sends coalesce while the
 * port is pending, so the receiver handles fewer events than were sent; {@link Flood} reports both per iteration
 * (JMH auxiliary counters {@code sends} and {@code deliveries}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 5, jvmArgsAppend = RingBenchRunner.AGRONA_EXPORTS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Threads(1)
public class EventSendBenchmark
{
    /**
     * The hypervisor, dom0's port and the receiving domU; also the auxiliary counters, counted from the iteration's
     * start until the receiver has seen the last send.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Flood
    {
        @Param({"BLOCKING", "POLLING"})
        ReceiverMode receiver;

        EventFlood flood;
        private long sendsAtStart;
        private long deliveriesAtStart;
        private long sendsAtEnd;
        private long deliveriesAtEnd;

        /** Boots the hypervisor and starts the receiver. */
        @Setup(Level.Trial)
        public void start()
        {
            flood = EventFlood.start(receiver);
        }

        /** Lets the receiver run for the iteration. */
        @Setup(Level.Iteration)
        public void resume()
        {
            sendsAtStart = flood.sends();
            deliveriesAtStart = flood.deliveries();
            flood.resume();
        }

        /** Waits until the receiver saw the last send, then pauses it (a polling vCPU would spin otherwise). */
        @TearDown(Level.Iteration)
        public void drain()
        {
            flood.drain();
            sendsAtEnd = flood.sends();
            deliveriesAtEnd = flood.deliveries();
            flood.pause();
        }

        /** Destroys the domains, joining the vCPU thread. */
        @TearDown(Level.Trial)
        public void stop()
        {
            flood.close();
        }

        /** Sends made in the iteration. */
        public long sends()
        {
            return sendsAtEnd - sendsAtStart;
        }

        /** Events the receiver handled for them. */
        public long deliveries()
        {
            return deliveriesAtEnd - deliveriesAtStart;
        }
    }

    /** One {@code EVTCHNOP_send}. */
    @Benchmark
    public int send(final Flood flood)
    {
        return flood.flood.send();
    }
}
