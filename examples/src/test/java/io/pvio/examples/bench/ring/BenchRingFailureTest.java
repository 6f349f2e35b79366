package io.pvio.examples.bench.ring;

import io.pvio.examples.notify.Doorbell;
import io.pvio.examples.notify.SpinThenSleepIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_ERROR;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_OKAY;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark harness refuses bad data and does not hang when a back end dies. */
class BenchRingFailureTest
{
    @Test
    void frontEndRejectsAResponseForTheWrongRequest()
    {
        final ScriptedFront front = new ScriptedFront(7, BlkifWorkload.operation(7), BLKIF_RSP_OKAY);
        assertThrows(IllegalStateException.class, front::completePair);
    }

    @Test
    void frontEndRejectsAnErrorStatus()
    {
        final ScriptedFront front = new ScriptedFront(0, BlkifWorkload.operation(0), BLKIF_RSP_ERROR);
        assertThrows(IllegalStateException.class, front::completePair);
    }

    @Test
    void frontEndAcceptsTheExpectedResponse()
    {
        final ScriptedFront front = new ScriptedFront(0, BlkifWorkload.operation(0), BLKIF_RSP_OKAY);
        assertEquals(0, front.completePair());
    }

    @Test
    void sleepingFrontEndWakesAndFailsWhenTheBackEndDies()
    {
        final BackEndControl control = new BackEndControl();
        final Doorbell responseDoorbell = new Doorbell();
        control.wakeOnFailure(responseDoorbell);
        final SilentFront front = new SilentFront(
            new SpinThenSleepIdleStrategy(responseDoorbell, control::hasFailed), control);
        final FailingBackEnd backEnd = new FailingBackEnd(control);
        final RingPipeline pipeline = new RingPipeline(
            RingKind.PVIO, front,
            () -> new BackEndFactory.Parts(
                backEnd, SpinYieldIdleStrategy.forBackEnd(control, SpinYieldIdleStrategy.SPIN_FOREVER)),
            control, new Doorbell(), responseDoorbell, () -> { });
        final AtomicReference<Throwable> frontFailure = new AtomicReference<>();
        final Thread frontThread = new Thread(() ->
        {
            try
            {
                front.completePair();
            }
            catch (final Throwable ex)
            {
                frontFailure.set(ex);
            }
        });
        try (pipeline)
        {
            pipeline.start();
            frontThread.start();
            // let the front end reach its sleep before the back end fails.
            await().atMost(Duration.ofSeconds(30)).until(() -> frontThread.getState() == Thread.State.WAITING);
            backEnd.armed = true;
            pipeline.resume();
            await().atMost(Duration.ofSeconds(30)).until(() -> frontFailure.get() != null);
        }
        assertTrue(frontFailure.get() instanceof IllegalStateException, String.valueOf(frontFailure.get()));
        assertTrue(frontFailure.get().getMessage().contains("back end failed"), frontFailure.get().getMessage());
        assertFalse(pipeline.backEndThread().isAlive());
    }

    /** A front end whose only response is the one it was given. */
    private static final class ScriptedFront extends RingFront
    {
        private final long id;
        private final int operation;
        private final int status;

        ScriptedFront(final long id, final int operation, final int status)
        {
            super(1, 1, new BusySpinIdleStrategy(), new BackEndControl());
            this.id = id;
            this.operation = operation;
            this.status = status;
        }

        @Override
        void sendBatch(final long firstId, final int count)
        {
        }

        @Override
        int receiveResponses(final int limit)
        {
            acceptResponse(id, operation, status);
            return 1;
        }
    }

    /** A front end that never receives anything. */
    private static final class SilentFront extends RingFront
    {
        SilentFront(final SpinThenSleepIdleStrategy idleStrategy, final BackEndControl control)
        {
            super(1, 1, idleStrategy, control);
        }

        @Override
        void sendBatch(final long firstId, final int count)
        {
        }

        @Override
        int receiveResponses(final int limit)
        {
            return 0;
        }
    }

    /** A back end that fails on its first duty cycle once armed. */
    private static final class FailingBackEnd extends RingBackEnd
    {
        volatile boolean armed;

        FailingBackEnd(final BackEndControl control)
        {
            super(control, 1, "failing-backend");
        }

        @Override
        int answerRequests(final int limit)
        {
            if (armed)
            {
                throw new IllegalStateException("broken back end");
            }
            return 0;
        }
    }
}
