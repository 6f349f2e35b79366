package io.pvio.examples.bench.ring;

import org.agrona.concurrent.IdleStrategy;

/**
 * Builds a back end and the idle strategy it waits with. Called once, on the back-end thread, so everything the
 * back end writes privately is allocated from that thread's own allocation buffer and never shares a cache line with
 * the front end's private state (in a real split driver the two ends live in different domains).
 */
@FunctionalInterface
interface BackEndFactory
{
    /** The parts of a back end, built on its own thread. */
    record Parts(RingBackEnd backEnd, IdleStrategy idleStrategy)
    {
    }

    Parts create();
}
