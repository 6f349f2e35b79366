package io.pvio.examples.demo;

import io.pvio.examples.ringpeer.RingPeer;
import org.agrona.concurrent.Agent;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Runs one ring end as an agent and publishes its progress to the demo's main thread: a count of completed
 * entries (release store) and a latch opened once the end is done. The ring end's own fields stay single-writer.
 */
final class ObservedRingEnd implements Agent
{
    private final RingPeer end;
    private final LongSupplier completed;
    private final AtomicLong publishedCompleted = new AtomicLong();
    private final CountDownLatch done = new CountDownLatch(1);

    ObservedRingEnd(final RingPeer end, final LongSupplier completed)
    {
        this.end = end;
        this.completed = completed;
    }

    @Override
    public int doWork() throws Exception
    {
        final int work = end.doWork();
        if (work > 0)
        {
            // the main thread's progress line sees a count no greater than what this end has completed.
            publishedCompleted.setRelease(completed.getAsLong());
        }
        if (done.getCount() != 0 && end.isDone())
        {
            done.countDown();
        }
        return work;
    }

    @Override
    public String roleName()
    {
        return end.roleName();
    }

    long completed()
    {
        return publishedCompleted.getAcquire();
    }

    CountDownLatch done()
    {
        return done;
    }
}
