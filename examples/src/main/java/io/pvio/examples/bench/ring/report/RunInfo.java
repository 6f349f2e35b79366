package io.pvio.examples.bench.ring.report;

import java.util.List;

/**
 * How the results were produced, as JMH recorded it.
 *
 * @param jmhVersion            JMH version.
 * @param jdkVersion            JDK of the forks.
 * @param vmName                VM name of the forks.
 * @param jvmArgs               JVM arguments of the forks.
 * @param forks                 forks per configuration.
 * @param warmupIterations      warm-up iterations per fork.
 * @param warmupTime            warm-up iteration length as JMH prints it, e.g. {@code 1 s}.
 * @param measurementIterations measured iterations per fork.
 * @param measurementTime       measured iteration length.
 */
public record RunInfo(
    String jmhVersion,
    String jdkVersion,
    String vmName,
    List<String> jvmArgs,
    int forks,
    int warmupIterations,
    String warmupTime,
    int measurementIterations,
    String measurementTime)
{
    public RunInfo
    {
        jvmArgs = List.copyOf(jvmArgs);
    }
}
