package io.pvio.examples.bench.ring;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;

/**
 * The back end of a benchmarked ring, an {@link Agent} on its own thread: each duty cycle takes up to
 * {@code batchSize} requests, reads and validates every field of each ({@link BlkifWorkload}) and answers them all,
 * with one publish where the ring has batch publish. Any exception ends the agent; its runner reports it to the
 * {@link BackEndControl}, which the waiting front end checks.
 */
abstract class RingBackEnd implements Agent
{
    private final BackEndControl control;
    private final int batchSize;
    private final String roleName;

    RingBackEnd(final BackEndControl control, final int batchSize, final String roleName)
    {
        this.control = control;
        this.batchSize = batchSize;
        this.roleName = roleName;
    }

    @Override
    public void onStart()
    {
        control.attachBackEndThread();
    }

    @Override
    public final int doWork()
    {
        try
        {
            return answerRequests(batchSize);
        }
        catch (final RuntimeException ex)
        {
            throw new AgentTerminationException(ex);
        }
    }

    /**
     * Takes up to {@code limit} requests without waiting and answers each.
     *
     * @return requests answered.
     */
    abstract int answerRequests(int limit);

    @Override
    public String roleName()
    {
        return roleName;
    }
}
