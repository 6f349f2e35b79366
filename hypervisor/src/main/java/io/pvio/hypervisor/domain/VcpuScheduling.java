package io.pvio.hypervisor.domain;

/** How a domain's vCPUs get a thread. */
public enum VcpuScheduling
{
    /** Each vCPU is an Agrona agent on its own thread, started when the domain first runs. */
    THREADED,
    /**
     * Nobody runs the vCPUs: the embedding code (a test, a benchmark) calls {@link Vcpu#doWork()} itself, from one
     * thread per vCPU. Blocking and timers are then evaluated on each call against the hypervisor's clock.
     */
    MANUAL
}
