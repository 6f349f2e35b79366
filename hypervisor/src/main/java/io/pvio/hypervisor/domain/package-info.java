/**
 * Domains and vCPUs.
 * <ul>
 *   <li>{@link io.pvio.hypervisor.domain.Domain}: memory, ports, grant table, maptrack, vCPUs and hypercalls of one
 *       domain, and its {@link io.pvio.hypervisor.domain.DomainState}. Cross-domain accesses bracket themselves
 *       with {@code tryEnter()}/{@code exit()} (a shared hold on a {@code StampedLock}, never blocking); teardown
 *       publishes DYING and takes the exclusive hold once, which waits out every access already inside.</li>
 *   <li>{@link io.pvio.hypervisor.domain.DomainManager}: builds domains (dom0 at boot, domUs for dom0's domctl),
 *       pauses, unpauses, destroys; runs teardown: stop vCPUs, close ports (peers see them unbound), end the
 *       domain's grant mappings, release its frames, raise {@code VIRQ_DOM_EXC} in dom0.</li>
 *   <li>{@link io.pvio.hypervisor.domain.DomainReaper}: an agent that tears down domains that shut down or crashed
 *       (their own vCPU threads cannot join themselves); the domain stays DEAD with its reason until dom0 destroys
 *       it, as in Xen.</li>
 *   <li>{@link io.pvio.hypervisor.domain.Vcpu}: an Agrona agent per vCPU, run by an {@code AgentRunner} thread
 *       ({@link io.pvio.hypervisor.domain.VcpuScheduling#THREADED}) or by the caller's {@code doWork()} calls
 *       (MANUAL, for tests and benchmarks). Duty cycle: timers, the upcall safe point, guest code. Blocking
 *       ({@code SCHEDOP_block}) parks the thread; event delivery unparks it after setting
 *       {@code evtchn_upcall_pending} (Dekker pair with the vCPU's re-check before parking).</li>
 *   <li>{@link io.pvio.hypervisor.domain.GuestCode} / {@link io.pvio.hypervisor.domain.GuestImage} /
 *       {@link io.pvio.hypervisor.domain.VcpuContext}: how guest code plugs in and what it can reach.</li>
 * </ul>
 * Known limit: Java cannot preempt a thread, so a guest whose {@code doWork} never returns cannot be paused or
 * destroyed (teardown would wait for it).
 */
package io.pvio.hypervisor.domain;
