package io.pvio.ring.testkit;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An in-process stand-in for an event channel between two threads: {@link #kick()} sets a pending flag and wakes
 * the owner; {@link #await()} returns once a kick has arrived since the previous await, parking (without a timeout)
 * until then. Like an event channel's pending bit, kicks coalesce and a kick that lands before {@link #await()} is
 * never lost.
 * <p>
 * Because the wait has no timeout, a protocol that fails to kick when it must (a lost wake-up) hangs the waiter:
 * tests put a deadline around the whole exchange to turn that into a failure.
 */
public final class ParkingDoorbell
{
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong kicks = new AtomicLong();
    private volatile Thread owner;
    private volatile boolean closed;

    /** Binds the doorbell to the calling thread, the only one that may {@link #await()}. */
    public void bindToCurrentThread()
    {
        owner = Thread.currentThread();
    }

    public void kick()
    {
        kicks.incrementAndGet();
        pending.set(1);
        final Thread waiter = owner;
        if (waiter != null)
        {
            LockSupport.unpark(waiter);
        }
    }

    /** Waits for a kick since the last await (or for {@link #close()}); returns false once closed. */
    public boolean await()
    {
        while (pending.getAndSet(0) == 0)
        {
            if (closed)
            {
                return false;
            }
            LockSupport.park(this);
        }
        return !closed;
    }

    /** Releases the waiter for good (test shutdown). */
    public void close()
    {
        closed = true;
        final Thread waiter = owner;
        if (waiter != null)
        {
            LockSupport.unpark(waiter);
        }
    }

    public long kicks()
    {
        return kicks.get();
    }
}
