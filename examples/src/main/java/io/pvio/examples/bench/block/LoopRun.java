package io.pvio.examples.bench.block;

/** A workload running on one path: its {@link ClosedLoop}, and how to wind it down. */
interface LoopRun
{
    ClosedLoop loop();

    /** Stops issuing, waits for what is in flight, and releases the run's threads. */
    void stop(long timeoutNs) throws InterruptedException;
}
