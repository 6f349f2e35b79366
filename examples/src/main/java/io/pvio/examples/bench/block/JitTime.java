package io.pvio.examples.bench.block;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * How long this JVM's JIT compilers have worked so far ({@link CompilationMXBean#getTotalCompilationTime()}: the
 * compiler threads' elapsed time, summed). On a 2-CPU machine a compiler thread at work takes a CPU that the PV
 * path's two agents need and the native path's one I/O thread does not, so a window in which the JIT compiled is a
 * window that measured the compiler too: the benchmark's warm-up runs until the JIT is quiet, and each round's line
 * says how long it compiled during each path's window.
 */
final class JitTime
{
    /** Unknown: the JVM has no JIT or does not time it. */
    static final long UNKNOWN = -1;

    private static final CompilationMXBean COMPILATION = ManagementFactory.getCompilationMXBean();

    private JitTime()
    {
    }

    /** Milliseconds the JIT has compiled since the JVM started, or {@link #UNKNOWN}. */
    static long totalMs()
    {
        return COMPILATION != null && COMPILATION.isCompilationTimeMonitoringSupported() ?
            COMPILATION.getTotalCompilationTime() : UNKNOWN;
    }

    /** Milliseconds compiled between two {@link #totalMs()} readings, or {@link #UNKNOWN} if either is. */
    static long between(final long earlierMs, final long laterMs)
    {
        return earlierMs == UNKNOWN || laterMs == UNKNOWN ? UNKNOWN : Math.max(0, laterMs - earlierMs);
    }

    /** {@code 12 ms}, or {@code n/a}. */
    static String format(final long ms)
    {
        return ms == UNKNOWN ? "n/a" : ms + " ms";
    }
}
