package io.pvio.examples.bench.ring;

import io.pvio.examples.notify.Doorbell;
import org.agrona.concurrent.AgentRunner;

/**
 * One benchmarked ring, both ends wired: the front end runs on the caller's (benchmark) thread, the back end on a
 * daemon thread of its own that lives from {@link #start()} to {@link #close()}, so its allocations are seen by
 * JMH's GC profiler. The back end is built on its own thread ({@link BackEndFactory}). Between iterations the
 * pipeline is {@link #quiesce() quiesced}: every outstanding response is received and the back end parks, so nothing
 * spins while JMH is not measuring.
 * <pre>{@code
 * try (RingPipeline pipeline = RingPipelines.throughput(RingKind.PVIO, 1, 8)) {
 *     pipeline.start();
 *     pipeline.resume();
 *     ... pipeline.front().completePair() ...
 *     pipeline.quiesce();
 * }
 * }</pre>
 */
final class RingPipeline implements AutoCloseable
{
    private final RingKind kind;
    private final RingFront front;
    private final BackEndFactory backEndFactory;
    private final BackEndControl control;
    private final Doorbell requestDoorbell;
    private final Doorbell responseDoorbell;
    private final AutoCloseable resources;
    private volatile AgentRunner runner;
    private Thread backEndThread;

    RingPipeline(
        final RingKind kind,
        final RingFront front,
        final BackEndFactory backEndFactory,
        final BackEndControl control,
        final Doorbell requestDoorbell,
        final Doorbell responseDoorbell,
        final AutoCloseable resources)
    {
        this.kind = kind;
        this.front = front;
        this.backEndFactory = backEndFactory;
        this.control = control;
        this.requestDoorbell = requestDoorbell;
        this.responseDoorbell = responseDoorbell;
        this.resources = resources;
    }

    /** Starts the back-end thread, paused. */
    void start()
    {
        if (backEndThread != null)
        {
            throw new IllegalStateException("already started");
        }
        backEndThread = new Thread(this::runBackEnd, "bench-ring-backend");
        backEndThread.setDaemon(true);
        backEndThread.start();
    }

    /** Lets the back end run (start of a benchmark iteration). */
    void resume()
    {
        control.resume();
    }

    /** Receives every outstanding response and parks the back end (end of a benchmark iteration). */
    void quiesce()
    {
        front.drain();
        control.pause();
    }

    RingKind kind()
    {
        return kind;
    }

    RingFront front()
    {
        return front;
    }

    /** Notifications sent so far, both directions (always 0 for the peers, which have no doorbell). */
    long kicks()
    {
        return requestDoorbell.kicks() + responseDoorbell.kicks();
    }

    /** The back-end thread, or null before {@link #start()}. */
    Thread backEndThread()
    {
        return backEndThread;
    }

    /** Stops and joins the back-end thread and releases the ring's memory. Idempotent. */
    @Override
    public void close()
    {
        control.stop();
        // the back-end thread publishes its runner before it checks for stop: we close it, or it never runs.
        final AgentRunner started = runner;
        if (started != null)
        {
            started.close();
        }
        if (backEndThread != null)
        {
            joinBackEndThread();
        }
        try
        {
            resources.close();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("cannot release " + kind + " ring", ex);
        }
    }

    private void runBackEnd()
    {
        final BackEndFactory.Parts parts;
        try
        {
            parts = backEndFactory.create();
        }
        catch (final RuntimeException ex)
        {
            control.onError(ex);
            return;
        }
        final AgentRunner agentRunner = new AgentRunner(parts.idleStrategy(), control, null, parts.backEnd());
        // close() reads this after stopping the control: it closes this runner, or we see the stop below.
        runner = agentRunner;
        if (!control.isStopped())
        {
            agentRunner.run();
        }
    }

    private void joinBackEndThread()
    {
        boolean interrupted = false;
        while (backEndThread.isAlive())
        {
            try
            {
                backEndThread.join();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
