/**
 * XenStore wire layouts ({@code xen/io/xs_wire.h}): the {@code xsd_sockmsg} message header spoken on sockets and
 * rings ({@link io.pvio.ring.xenstore.XsWireDescriptor}, {@link io.pvio.ring.xenstore.XsMessageHeaderFlyweight}) and
 * a guest's XenStore page ({@link io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor},
 * {@link io.pvio.ring.xenstore.XenstoreDomainInterfaceFlyweight}). Descriptors own every offset; flyweights move
 * bytes with acquire/release on the shared indices and validate the peer's index before trusting it.
 */
package io.pvio.ring.xenstore;
