package io.pvio.examples.bench.hypervisor.report;

import io.pvio.examples.bench.ring.report.RunInfo;

import java.util.List;

/**
 * Every hypervisor measurement of one JMH run.
 *
 * @param runInfo      how the run was made (from its first configuration).
 * @param measurements every configuration measured, in JMH's order.
 */
public record HypervisorResults(RunInfo runInfo, List<HypervisorMeasurement> measurements)
{
    public HypervisorResults
    {
        measurements = List.copyOf(measurements);
    }
}
