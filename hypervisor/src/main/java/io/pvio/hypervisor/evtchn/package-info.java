/**
 * Event channels with the 2-level ABI.
 * <ul>
 *   <li>{@link io.pvio.hypervisor.evtchn.EventChannelTable}: one domain's ports (FREE, UNBOUND, INTERDOMAIN, VIRQ),
 *       each binding packed in one {@code long} read with a single acquire load, and delivery into its
 *       {@code shared_info} frame through {@code io.pvio.ring.evtchn.SharedInfoFlyweight}: pending bit, then on a
 *       0-&gt;1 change of an unmasked port the selector bit, then {@code evtchn_upcall_pending}, then a kick of the
 *       vCPU unless its {@code evtchn_upcall_mask} is set. Sends coalesce while a port is pending.</li>
 *   <li>{@link io.pvio.hypervisor.evtchn.EventChannels}: the operations. Binding changes take one hypervisor-wide
 *       lock (control path); send and unmask take none: the sender reads its binding, enters the remote domain and
 *       delivers only if the remote port is still bound back to it.</li>
 *   <li>{@link io.pvio.hypervisor.evtchn.Virq}: {@code VIRQ_TIMER} (per-vCPU single-shot and periodic timers on the
 *       hypervisor's injectable {@code NanoClock}), {@code VIRQ_DEBUG} (dom0's domctl), {@code VIRQ_DOM_EXC} (dom0,
 *       on every shutdown, crash and destruction).</li>
 * </ul>
 */
package io.pvio.hypervisor.evtchn;
