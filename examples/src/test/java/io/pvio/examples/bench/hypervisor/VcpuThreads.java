package io.pvio.examples.bench.hypervisor;

import java.util.HashSet;
import java.util.Set;

/**
 * The live vCPU threads of every hypervisor in this JVM (they are named {@code pvio-vcpu-d<domid>v<vcpu>}). Tests
 * compare with what was alive before they started, so another test's leftovers cannot fail them.
 */
final class VcpuThreads
{
    private VcpuThreads()
    {
    }

    static Set<Thread> live()
    {
        final Set<Thread> threads = new HashSet<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().startsWith("pvio-vcpu-") && thread.isAlive())
            {
                threads.add(thread);
            }
        }
        return threads;
    }

    /** vCPU threads alive now that were not in {@code before}. */
    static Set<Thread> startedSince(final Set<Thread> before)
    {
        final Set<Thread> started = live();
        started.removeAll(before);
        return started;
    }
}
