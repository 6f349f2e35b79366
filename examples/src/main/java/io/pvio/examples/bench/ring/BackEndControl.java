package io.pvio.examples.bench.ring;

import io.pvio.examples.notify.Doorbell;
import org.agrona.ErrorHandler;

import java.util.concurrent.locks.LockSupport;

/**
 * Run state of one back-end thread, shared with the front-end thread that owns the pipeline: {@code PAUSED} between
 * benchmark iterations (the back end parks, so nothing spins while JMH is not measuring), {@code RUNNING} during
 * them, {@code STOPPED} at the end. It also records the back end's first failure so a waiting front end can give up
 * instead of waiting forever.
 */
final class BackEndControl implements ErrorHandler
{
    private static final int RUNNING = 0;
    private static final int PAUSED = 1;
    private static final int STOPPED = 2;

    private volatile int state = PAUSED;
    private volatile Thread backEndThread;
    private volatile Throwable failure;
    private Doorbell frontDoorbell;

    /**
     * The doorbell the front end may sleep on; a failing back end rings it so the front end wakes, sees the failure
     * in its wake condition, and gives up. Set before the back end starts.
     */
    void wakeOnFailure(final Doorbell doorbell)
    {
        frontDoorbell = doorbell;
    }

    /** Back-end thread, once at start. */
    void attachBackEndThread()
    {
        // resume() and stop() read this after changing state: they unpark us if we parked on the old state.
        backEndThread = Thread.currentThread();
    }

    void resume()
    {
        // the back end's park loop re-reads the state after every wake-up.
        state = RUNNING;
        unparkBackEnd();
    }

    void pause()
    {
        // the back end parks the next time it finds no work.
        state = PAUSED;
    }

    void stop()
    {
        // the back end stops parking from here on.
        state = STOPPED;
        unparkBackEnd();
    }

    boolean isPaused()
    {
        // sees pause() and resume() of the front-end thread.
        return state == PAUSED;
    }

    boolean isStopped()
    {
        // sees stop() of the front-end thread.
        return state == STOPPED;
    }

    /** Back-end thread: park while paused (the state is re-read after each wake-up, spurious or not). */
    void parkWhilePaused()
    {
        while (state == PAUSED)
        {
            LockSupport.park(this);
        }
    }

    @Override
    public void onError(final Throwable throwable)
    {
        if (failure == null)
        {
            // a front end waiting for responses reads this in its wake condition and gives up.
            failure = throwable;
        }
        if (frontDoorbell != null)
        {
            frontDoorbell.wakeSleeper();
        }
    }

    boolean hasFailed()
    {
        // sees the back-end thread's onError().
        return failure != null;
    }

    /** Front end, while waiting: rethrow the back end's failure, if any. */
    void checkBackEnd()
    {
        // sees the back-end thread's onError().
        final Throwable cause = failure;
        if (cause != null)
        {
            throw new IllegalStateException("back end failed: " + cause, cause);
        }
    }

    private void unparkBackEnd()
    {
        // ordered after our state store: a back end that parked on the old state is found here.
        final Thread thread = backEndThread;
        if (thread != null)
        {
            LockSupport.unpark(thread);
        }
    }
}
