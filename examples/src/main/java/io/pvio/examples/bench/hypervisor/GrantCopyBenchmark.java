package io.pvio.examples.bench.hypervisor;

import io.pvio.examples.bench.ring.RingBenchRunner;
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
 * Cost of one {@code GNTTABOP_copy} hypercall from granted pages into dom0's own memory: 512 B or 4 KiB per
 * element, 1 or 16 elements per batch. The score is per hypercall; the report also divides it per element.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 5, jvmArgsAppend = RingBenchRunner.AGRONA_EXPORTS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Threads(1)
public class GrantCopyBenchmark
{
    /** The hypervisor and {@code batchSize} granted pages; no vCPU thread runs. */
    @State(Scope.Thread)
    public static class Copies
    {
        @Param({"512", "4096"})
        int lengthBytes;

        @Param({"1", "16"})
        int batchSize;

        GrantCopier copier;

        @Setup(Level.Trial)
        public void start()
        {
            copier = GrantCopier.start(lengthBytes, batchSize);
        }

        @TearDown(Level.Trial)
        public void stop()
        {
            copier.close();
        }
    }

    /** One {@code GNTTABOP_copy} of the batch. */
    @Benchmark
    public int copy(final Copies copies)
    {
        return copies.copier.copy();
    }
}
