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

/** Cost of dom0 mapping a domU's grant, reading a word through it and unmapping it, read-only and read-write. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 5, jvmArgsAppend = RingBenchRunner.AGRONA_EXPORTS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Threads(1)
public class GrantMapBenchmark
{
    /** The hypervisor and one granted page; no vCPU thread runs. */
    @State(Scope.Thread)
    public static class Grant
    {
        @Param({"true", "false"})
        boolean readOnly;

        GrantMapping mapping;

        @Setup(Level.Trial)
        public void start()
        {
            mapping = GrantMapping.start(readOnly);
        }

        @TearDown(Level.Trial)
        public void stop()
        {
            mapping.close();
        }
    }

    /** {@code GNTTABOP_map_grant_ref}, one load through the mapping, {@code GNTTABOP_unmap_grant_ref}. */
    @Benchmark
    public long mapUnmap(final Grant grant)
    {
        return grant.mapping.mapReadUnmap();
    }
}
