/**
 * Machine memory and each domain's view of it.
 * <ul>
 *   <li>{@link io.pvio.hypervisor.memory.MachineMemory}: one region of 4 KiB frames (off-heap or a mapped file), a
 *       free pool, and a reference count per frame (Xen's {@code get_page}/{@code put_page}). A frame returns to the
 *       pool, scrubbed, only when its last reference goes: the owner's, each foreign grant mapping's, each grant copy
 *       in flight. That is how a destroyed domain's page that dom0 still maps stays valid until dom0 unmaps it.</li>
 *   <li>{@link io.pvio.hypervisor.memory.Physmap}: a domain's gfn to mfn table, reservation and {@code max_pages}
 *       ceiling; populate and depopulate (the balloon); pinned gfns the hypervisor uses (shared info, grant table);
 *       translation with a frame reference for grant operations.</li>
 *   <li>{@link io.pvio.hypervisor.memory.GuestMemory}: what guest code sees: views of its own populated frames; an
 *       access outside them is a {@link io.pvio.hypervisor.memory.MemoryFaultException} (EINVAL/EFAULT).</li>
 *   <li>{@link io.pvio.hypervisor.memory.ReadOnlyFrame}: the view a read-only grant gives: loads only, deliberately
 *       not an Agrona buffer.</li>
 *   <li>{@link io.pvio.hypervisor.memory.SinkFrame}: each domain's private scratch page; views of frames that left
 *       the domain are re-pointed there (swapping one off-heap address for another, so a racing access never
 *       faults).</li>
 * </ul>
 * Locking: Physmap's monitor, then MachineMemory's (never the other way round). Counts are atomics.
 */
package io.pvio.hypervisor.memory;
