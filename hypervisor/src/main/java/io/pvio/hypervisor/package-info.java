/**
 * The trusted core every guest and dom0 talk to: machine memory, domains, hypercalls, grant tables, event channels,
 * XenStore and the xenbus driver core. Built on the wire layouts of {@code io.pvio.ring}.
 */
package io.pvio.hypervisor;
