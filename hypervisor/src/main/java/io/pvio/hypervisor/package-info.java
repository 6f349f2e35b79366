/**
 * The trusted core every guest and dom0 talk to: machine memory, domains, hypercalls, grant tables and event
 * channels (XenStore and the xenbus driver core belong here too, in their own packages), modelled closely on Xen so that drivers written against it recognise Xen, and strict enough that a
 * hostile guest gets nowhere. Built on the wire layouts of {@code io.pvio.ring}.
 * <p>
 * {@link io.pvio.hypervisor.Hypervisor#boot} creates machine memory and dom0; dom0's
 * {@link io.pvio.hypervisor.hypercall.Hypercalls#domctl()} creates, pauses, unpauses and destroys domUs. Each domain's
 * code runs on its vCPUs ({@link io.pvio.hypervisor.domain.Vcpu}, Agrona agents) and reaches the hypervisor only
 * through the {@link io.pvio.hypervisor.hypercall.Hypercalls} bound to its own id.
 * <p>
 * Packages:
 * <ul>
 *   <li>{@code memory}: machine frames with reference counts, each domain's physmap and its views;</li>
 *   <li>{@code domain}: domains, their states and teardown, vCPUs, guest code and its context;</li>
 *   <li>{@code hypercall}: the per-domain hypercall interface, Xen's errnos, per-operation counters;</li>
 *   <li>{@code evtchn}: event channel ports and the 2-level {@code shared_info} delivery, VIRQs;</li>
 *   <li>{@code grant}: grant tables (v1), maptrack, map/unmap/copy;</li>
 *   <li>{@code guest}: guest-side helpers: the upcall dispatcher and the granting side of a grant table;</li>
 *   <li>{@code xenstore}: the store, its in-process client, the guests' ring transport and the xs_wire socket;</li>
 *   <li>{@code xenbus}: xenbus states, the xenbus client library and the split-driver framework.</li>
 * </ul>
 * <b>Threat model.</b> Guests run in this JVM. Everything they pass to a hypercall and everything they write into
 * shared frames is validated (copied once, then checked); errors are Xen's errnos or grant statuses; a guest that
 * throws crashes only its own domain. Views handed to a guest are Agrona buffers over its own or granted frames and
 * are revoked by re-pointing them when the frame goes away; Java code that deliberately abuses a buffer (re-wrapping
 * it at an arbitrary address, reflection, {@code Unsafe}) is outside what an in-process hypervisor can stop. The
 * machine memory can be a mapped file so that guests may later live in other processes.
 */
package io.pvio.hypervisor;
