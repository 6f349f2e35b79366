/**
 * In-JVM notification between the two ends of a ring: a {@link io.pvio.examples.notify.Doorbell} stands in for an
 * event channel, and {@link io.pvio.examples.notify.SpinThenSleepIdleStrategy} waits on one the way a paravirtual
 * driver must (spin, yield, then sleep after the ring's final check). Used by the ring benchmarks and the demos.
 */
package io.pvio.examples.notify;
