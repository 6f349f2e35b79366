package io.pvio.examples.ringpeer;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;

/**
 * Drives a {@link RingPeer} on the calling thread: duty cycles with an {@link IdleStrategy} between idle ones (no
 * event channel crosses processes, so the peers poll), until the peer is done or the deadline passes. A dead or
 * stuck peer therefore cannot hang {@code pvio ring-peer}.
 */
public final class RingPeerRunner
{
    private RingPeerRunner()
    {
    }

    /**
     * @return true if the peer finished (successfully or not, see {@link RingPeer#failure()}), false if
     * {@code timeoutNs} passed first.
     */
    public static boolean run(
        final RingPeer peer, final IdleStrategy idleStrategy, final NanoClock clock, final long timeoutNs)
    {
        final long deadlineNs = clock.nanoTime() + timeoutNs;
        peer.onStart();
        try
        {
            while (!peer.isDone())
            {
                final int workCount = peer.doWork();
                if (clock.nanoTime() - deadlineNs >= 0 && !peer.isDone())
                {
                    return false;
                }
                // with nothing done, arm the event index (as a sleeping end would) unless work raced in
                if (workCount > 0 || !peer.finalCheck())
                {
                    idleStrategy.idle(workCount);
                }
            }
            return true;
        }
        finally
        {
            peer.onClose();
        }
    }
}
