package io.pvio.examples.bench.hypervisor;

import io.pvio.examples.bench.ring.RingBenchRunner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
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
 * Cost of one 4 KiB read through blkback's ring, on one thread ({@link BlkbackRequests}): the front end's request
 * and response, blkback's copy, checks, kept-grant lookup and response, and the copy from the disk; against the copy
 * alone ({@code path=DIRECT}). The score is per request; an invocation is a batch of 32.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 5, jvmArgsAppend = RingBenchRunner.AGRONA_EXPORTS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Threads(1)
public class BlkbackRequestBenchmark
{
    /** The hypervisor, the domU's granted ring and pages, and blkback's ring (or dom0's own mappings). */
    @State(Scope.Thread)
    public static class Requests
    {
        @Param({"BLKBACK", "DIRECT"})
        BlkbackRequests.Path path;

        /** The memory disk: 1 MiB stays in the CPU's caches (the ring's own work shows), 64 MiB is read from memory. */
        @Param({"1", "64"})
        int diskMib;

        BlkbackRequests requests;

        @Setup(Level.Trial)
        public void start()
        {
            requests = BlkbackRequests.start(path, diskMib);
        }

        @TearDown(Level.Trial)
        public void stop()
        {
            requests.close();
        }
    }

    /** A batch of 32 reads of 4 KiB from random pages of the memory disk. */
    @Benchmark
    @OperationsPerInvocation(BlkbackRequests.BATCH_REQUESTS)
    public int read4k(final Requests requests)
    {
        return requests.requests.readBatch();
    }
}
