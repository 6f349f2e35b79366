/**
 * xenbus: the handshake through which front and back ends agree on features and connect, and the driver framework
 * every split device is built on.
 * <p>
 * {@link io.pvio.hypervisor.xenbus.XenbusState} and {@link io.pvio.hypervisor.xenbus.XenbusClient} are the small
 * library: read and switch states, typed reads and writes in a transaction retried on EAGAIN
 * ({@link io.pvio.hypervisor.xenbus.XenbusTransaction}), watches. A driver implements
 * {@link io.pvio.hypervisor.xenbus.XenbusFrontendDriver} or {@link io.pvio.hypervisor.xenbus.XenbusBackendDriver}
 * for its device type and registers with a {@link io.pvio.hypervisor.xenbus.XenbusFrontendBus} (in the guest) or
 * {@link io.pvio.hypervisor.xenbus.XenbusBackendBus} (in dom0 or a driver domain). The buses find devices from
 * XenStore watches on the directories {@link io.pvio.hypervisor.xenbus.XenbusToolstack} writes on attach, and drive
 * the handshake: back end InitWait (features published), front end Initialised (rings published), back end then
 * front end Connected; Closing/Closed on detach ({@code online = 0}) or when either end closes; removal when the
 * directories go. A back end that restarts probes the existing directories again and returns to InitWait; the front
 * end sees that, releases and re-creates its rings, and the pair reconnect.
 * <p>
 * Each bus is an Agrona agent that rescans on watch events (level-triggered; every rule guarded by the local state,
 * one exhaustive switch over the other end's state per device). Everything the other end wrote is untrusted:
 * typed readers check ranges and a driver's {@link io.pvio.hypervisor.xenbus.XenbusProtocolException} closes the
 * device with an {@code error} node, releases what the driver holds at once, and leaves the device in Closing until
 * the other end changes state (e.g. to Closed, after which it may try again). {@link io.pvio.hypervisor.xenbus.XenbusFrontRing} and
 * {@link io.pvio.hypervisor.xenbus.XenbusBackRing} allocate, grant, publish, map and tear down single or
 * multi-page rings and their event channel; {@link io.pvio.hypervisor.xenbus.DeferredGrantRelease} gives back, once
 * the back end lets go, what a front end had to drop while it was still mapped. {@link io.pvio.hypervisor.xenbus.SplitDriverHost} is a whole machine for a
 * split driver in one object (hypervisor, XenStore, toolstack, dom0 with a back-end bus, guests with front-end buses,
 * vCPUs delivering events for real): the block tests, demo and benchmark run on it, and so can a new device's.
 */
package io.pvio.hypervisor.xenbus;
