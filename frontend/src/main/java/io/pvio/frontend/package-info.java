/** Guest-side (domU) front-end drivers: block, net and console, built on {@code io.pvio.hypervisor}. */
package io.pvio.frontend;
