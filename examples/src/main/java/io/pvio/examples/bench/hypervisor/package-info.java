/**
 * JMH benchmarks of the hypervisor's data paths, run by {@code pvio bench hypervisor}
 * ({@link io.pvio.examples.bench.hypervisor.HypervisorBenchRunner}):
 * <ul>
 *   <li>{@link io.pvio.examples.bench.hypervisor.EventLatencyBenchmark}: event send-to-upcall round trip between
 *       dom0 and a domU whose vCPU blocks or busy-polls ({@link io.pvio.examples.bench.hypervisor.EventEcho});</li>
 *   <li>{@link io.pvio.examples.bench.hypervisor.EventSendBenchmark}: sends per second from one dom0 thread, with
 *       the events the receiver handled ({@link io.pvio.examples.bench.hypervisor.EventFlood});</li>
 *   <li>{@link io.pvio.examples.bench.hypervisor.GrantMapBenchmark}: grant map + unmap
 *       ({@link io.pvio.examples.bench.hypervisor.GrantMapping});</li>
 *   <li>{@link io.pvio.examples.bench.hypervisor.GrantCopyBenchmark}: {@code GNTTABOP_copy}
 *       ({@link io.pvio.examples.bench.hypervisor.GrantCopier});</li>
 *   <li>{@link io.pvio.examples.bench.hypervisor.BlkbackRequestBenchmark}: a 4 KiB read through blkback's ring on one
 *       thread, against the copy alone ({@link io.pvio.examples.bench.hypervisor.BlkbackRequests}).</li>
 * </ul>
 * Each trial boots its own {@link io.pvio.hypervisor.Hypervisor}
 * ({@link io.pvio.examples.bench.hypervisor.BenchHypervisor}: dom0 MANUAL, driven by the benchmark thread) and
 * closes it, joining every vCPU thread. Event benchmarks pause the domU between iterations, so no vCPU spins outside
 * measurement. The fixtures hold all the logic and are what the
 * smoke tests drive; the JMH classes only map trial and iteration hooks onto them.
 */
package io.pvio.examples.bench.hypervisor;
