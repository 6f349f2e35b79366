/**
 * Guest-side helpers, the code a Xen guest kernel would have:
 * {@link io.pvio.hypervisor.guest.UpcallDispatcher} (Linux's 2-level upcall scan: clear upcall_pending, exchange the
 * selector, take pending and unmasked ports word by word, call handlers held in an array indexed by port),
 * {@link io.pvio.hypervisor.guest.GrantAccess} (grant and revoke in the guest's own grant table, and tell whether a
 * grant is still in use; on the control path), {@link io.pvio.hypervisor.guest.GrantRefPool} (references reserved once
 * for a data path that grants and revokes them without a lock, as Linux's {@code gnttab_alloc_grant_references}),
 * {@link io.pvio.hypervisor.guest.IdleGuest} (block, dispatch; dom0's default) and
 * {@link io.pvio.hypervisor.guest.EventIdleStrategy} (a driver agent's idle strategy: spin briefly, then park until an
 * event handler bound on the dispatcher, or a local submitter, signals it; a kick therefore travels as Xen's does:
 * pending bit, vCPU upcall, handler, driver thread).
 * They touch only the guest's own frames and call the hypervisor only through its hypercalls.
 */
package io.pvio.hypervisor.guest;
