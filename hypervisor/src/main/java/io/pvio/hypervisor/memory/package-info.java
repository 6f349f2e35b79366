/**
 * Machine memory and each domain's view of it.
 * <ul>
 *   <li>{@link io.pvio.hypervisor.memory.MachineMemory}: one region of 4 KiB frames (off-heap or a mapped file), a
 *       free pool (one frame at a time, or a machine-contiguous extent), and a reference count per frame (Xen's {@code get_page}/{@code put_page}). A frame returns to the
 *       pool, scrubbed, only when its last reference goes: the owner's, each foreign grant mapping's, each grant copy
 *       in flight. That is how a destroyed domain's page that dom0 still maps stays valid until dom0 unmaps it.</li>
 *   <li>{@link io.pvio.hypervisor.memory.Physmap}: a domain's gfn to mfn table, reservation and {@code max_pages}
 *       ceiling; populate and depopulate (the balloon, also by extents of {@code 2^order} contiguous frames); pinned gfns the hypervisor uses (shared info, grant table);
 *       translation with a frame reference for grant operations.</li>
 *   <li>{@link io.pvio.hypervisor.memory.GuestMemory}: what guest code sees: views of its own populated frames; an
 *       access outside them is a {@link io.pvio.hypervisor.memory.MemoryFaultException} (EINVAL/EFAULT); and one view
 *       over an extent ({@code area}), which a multi-page ring needs. pvio has no page tables, so scattered frames
 *       cannot be joined into one buffer: multi-page rings are allocated as one extent (a back end mapping them gets
 *       one view over the mapped frames likewise, and refuses a ring whose frames are scattered).</li>
 *   <li>{@link io.pvio.hypervisor.memory.ReadOnlyFrame}: the view a read-only grant gives: loads only, deliberately
 *       not an Agrona buffer.</li>
 *   <li>{@link io.pvio.hypervisor.memory.SinkFrame}: each domain's private scratch page (16 pages, for areas); views of frames that left
 *       the domain are re-pointed there (swapping one off-heap address for another, so a racing access never
 *       faults).</li>
 * </ul>
 * Locking: Physmap's monitor, then MachineMemory's (never the other way round). Counts are atomics.
 */
package io.pvio.hypervisor.memory;
