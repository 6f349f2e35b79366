package io.pvio.hypervisor.domain;

/**
 * What a new domain runs: the toolstack's "kernel image". Asked once per vCPU, in order, while the domain is built
 * (before it runs); the context gives the new domain's start info, memory and hypercalls.
 */
@FunctionalInterface
public interface GuestImage
{
    /**
     * @param vcpu the vCPU that will run the returned code (its {@link VcpuContext#vcpuId()}).
     * @return the code for that vCPU.
     */
    GuestCode vcpuCode(VcpuContext vcpu);
}
