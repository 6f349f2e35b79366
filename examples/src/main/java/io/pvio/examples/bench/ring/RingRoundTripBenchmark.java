package io.pvio.examples.bench.ring;

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
 * Ping-pong round trip through each ring: the front end writes one full request and publishes it, the back end
 * validates it and answers, and the front end waits for and checks the response. One request is in flight at a
 * time; both ends busy-spin (no sleeping, so no wake-up latency is included). The pvio ring still publishes with
 * {@code push*AndCheckNotify()}, so its round trip includes the full fences of the notification protocol.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 5, jvmArgsAppend = {RingBenchRunner.AGRONA_EXPORTS, RingBenchRunner.DISABLE_BOUNDS_CHECKS})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Threads(1)
public class RingRoundTripBenchmark
{
    /** The ring under test, both ends; owned by the benchmark thread. */
    @State(Scope.Thread)
    public static class Pipeline
    {
        @Param({"PVIO", "PVIO_NO_SUPPRESSION", "PVIO_POLLING", "AGRONA", "JCTOOLS", "DISRUPTOR", "ABQ"})
        RingKind ring;

        /** Ring pages; with one request in flight the size hardly matters, so one page. */
        @Param({"1"})
        int pages;

        RingPipeline pipeline;
        RingFront front;

        /** Builds the ring and starts its back-end thread (paused). */
        @Setup(Level.Trial)
        public void start()
        {
            pipeline = RingPipelines.roundTrip(ring, pages);
            front = pipeline.front();
            pipeline.start();
        }

        /** Lets the back end run for the iteration. */
        @Setup(Level.Iteration)
        public void resume()
        {
            pipeline.resume();
        }

        /** Drains every outstanding response and parks the back end until the next iteration. */
        @TearDown(Level.Iteration)
        public void quiesce()
        {
            pipeline.quiesce();
        }

        /** Stops and joins the back-end thread. */
        @TearDown(Level.Trial)
        public void stop()
        {
            pipeline.close();
        }
    }

    /** One round trip: request out, response back and checked. */
    @Benchmark
    public long roundTrip(final Pipeline pipeline)
    {
        return pipeline.front.completePair();
    }
}
