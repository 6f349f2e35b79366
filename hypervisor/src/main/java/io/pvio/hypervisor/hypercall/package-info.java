/**
 * The hypercall interface: {@link io.pvio.hypervisor.hypercall.Hypercalls}, one per domain, created with it and
 * bound to its id, grouped like Xen's hypercalls ({@code event_channel_op}, {@code grant_table_op},
 * {@code memory_op}, {@code sched_op}, {@code domctl}); per-vCPU scheduling and timer calls live on the vCPU's
 * context.
 * <p>
 * Errors are Xen's: control operations throw {@link io.pvio.hypervisor.hypercall.HypercallException} carrying a
 * {@link io.pvio.hypervisor.hypercall.XenErrno} and the {@link io.pvio.hypervisor.hypercall.HypercallOp}; the data
 * path (event send and unmask, grant map, unmap and copy) returns statuses (negated errno, or {@code GNTST_*}) so
 * that it allocates nothing. Memory batches report extents done, as Xen does, but a batch that achieves nothing
 * throws its first error. Domain control answers EPERM to anyone but dom0. Every call is counted in the caller's
 * {@link io.pvio.hypervisor.hypercall.HypercallCounters}, which dom0 can read.
 */
package io.pvio.hypervisor.hypercall;
