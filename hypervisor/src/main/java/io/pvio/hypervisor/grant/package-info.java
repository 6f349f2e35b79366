/**
 * Grant tables, version 1.
 * <ul>
 *   <li>{@link io.pvio.hypervisor.grant.GrantTable}: the granter's side: {@code grant_entry_v1}s in frames of the
 *       granter's own reservation (gfns 1..n), written by the guest in Xen's order; the hypervisor claims an entry
 *       with one compare-and-swap over flags+domid (setting {@code GTF_reading}/{@code GTF_writing}) and keeps its
 *       pins privately, clearing the bits with the last pin so the granter knows the page is free again.</li>
 *   <li>{@link io.pvio.hypervisor.grant.Maptrack}: the mapper's side: a handle per mapping up to a limit, the frame
 *       reference that keeps the page alive, and the views (writable buffer, or read-only frame) re-pointed at the
 *       mapper's sink on unmap.</li>
 *   <li>{@link io.pvio.hypervisor.grant.GrantTables}: map, unmap, copy with Xen's {@code GNTST_*} statuses
 *       ({@link io.pvio.hypervisor.grant.GrantStatus}); copy is batched ({@link io.pvio.hypervisor.grant.GrantCopyBatch}),
 *       reads each element once, checks offsets and lengths against the frame, pins only for the duration, and
 *       allocates nothing.</li>
 * </ul>
 * A granter destroyed while mapped loses its grant table, not the mapped frames: they are freed on the last unmap.
 */
package io.pvio.hypervisor.grant;
