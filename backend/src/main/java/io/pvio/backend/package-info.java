/** dom0-side back-end drivers: block, net and console, built on {@code io.pvio.hypervisor}. */
package io.pvio.backend;
