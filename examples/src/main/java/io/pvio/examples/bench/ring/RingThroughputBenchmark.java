package io.pvio.examples.bench.ring;

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
 * Request/response pairs per second through each ring under saturation: the benchmark thread is the front end and
 * keeps the ring full (requests written in full, published in batches), a back-end thread validates every request
 * and answers it. Each benchmark operation is one pair whose response the front end received and checked, so the
 * score is pairs per second.
 * <p>
 * The back-end thread starts with the trial and parks between iterations (every response is drained first), so no
 * thread spins outside measurement and JMH's GC profiler sees both threads' allocations. {@link Pipeline} counts
 * kicks (doorbell notifications, both directions) and requests per iteration for the kicks-per-1,000 figure.
 * See {@link RingPipelines} for the rules applied to every ring.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 5, jvmArgsAppend = {RingBenchRunner.AGRONA_EXPORTS, RingBenchRunner.DISABLE_BOUNDS_CHECKS})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Threads(1)
public class RingThroughputBenchmark
{
    /**
     * The ring under test, both ends, owned by the benchmark thread. Also JMH's auxiliary counters: its public
     * {@link #kicks()} and {@link #requests()} are reported per iteration (the report divides them for kicks per
     * 1,000 requests); they count from the iteration's start to the end of its measured loop.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Pipeline
    {
        @Param({"PVIO", "PVIO_NO_SUPPRESSION", "PVIO_POLLING", "AGRONA", "JCTOOLS", "DISRUPTOR", "ABQ"})
        RingKind ring;

        /** Ring pages: 1 (32 blkif entries) or 16 (512). */
        @Param({"1", "16"})
        int pages;

        /** Requests per publish, and most entries taken per receive, on both sides. */
        @Param({"1", "8", "32"})
        int batchSize;

        RingPipeline pipeline;
        RingFront front;
        private long kicksAtStart;
        private long requestsAtStart;
        private long kicksAtEnd;
        private long requestsAtEnd;

        /** Builds the ring and starts its back-end thread (paused). */
        @Setup(Level.Trial)
        public void start()
        {
            pipeline = RingPipelines.throughput(ring, pages, batchSize);
            front = pipeline.front();
            pipeline.start();
        }

        /** Lets the back end run for the iteration. */
        @Setup(Level.Iteration)
        public void resume()
        {
            kicksAtStart = pipeline.kicks();
            requestsAtStart = front.requestsSent();
            pipeline.resume();
        }

        /** Drains every outstanding response and parks the back end until the next iteration. */
        @TearDown(Level.Iteration)
        public void quiesce()
        {
            kicksAtEnd = pipeline.kicks();
            requestsAtEnd = front.requestsSent();
            pipeline.quiesce();
        }

        /** Stops and joins the back-end thread. */
        @TearDown(Level.Trial)
        public void stop()
        {
            pipeline.close();
        }

        /** Doorbell kicks in the iteration, to the back end and to the front end together. */
        public long kicks()
        {
            return kicksAtEnd - kicksAtStart;
        }

        /** Requests sent in the iteration. */
        public long requests()
        {
            return requestsAtEnd - requestsAtStart;
        }
    }

    /** One request/response pair completed by the front end. */
    @Benchmark
    public long pairs(final Pipeline pipeline)
    {
        return pipeline.front.completePair();
    }
}
