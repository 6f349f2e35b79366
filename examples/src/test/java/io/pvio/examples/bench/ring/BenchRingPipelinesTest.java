package io.pvio.examples.bench.ring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives every benchmark variant's data path without JMH: set up, run pairs over two "iterations" (resume, pairs,
 * quiesce), tear down. Every response is checked by the front end against the request it answers, and every
 * request by the back end field by field, so a payload that does not arrive intact fails the run with an exception.
 */
class BenchRingPipelinesTest
{
    private static final int PAIRS_PER_ITERATION = 3_000;

    static Stream<Arguments> throughputVariants()
    {
        final List<Arguments> variants = new ArrayList<>();
        for (final RingKind kind : RingKind.values())
        {
            for (final int pages : new int[] {1, 16})
            {
                for (final int batchSize : new int[] {1, 8, 32})
                {
                    variants.add(Arguments.of(kind, pages, batchSize));
                }
            }
        }
        return variants.stream();
    }

    @ParameterizedTest(name = "{0} pages={1} batch={2}")
    @MethodSource("throughputVariants")
    void throughputPipelineMovesIntactPairsAndStopsItsThread(
        final RingKind kind, final int pages, final int batchSize)
    {
        final RingPipeline pipeline = RingPipelines.throughput(kind, pages, batchSize);
        final Thread backEndThread;
        try (pipeline)
        {
            pipeline.start();
            backEndThread = pipeline.backEndThread();
            assertNotNull(backEndThread);
            runIteration(pipeline);
            // between iterations the back end must park, not spin.
            await().atMost(Duration.ofSeconds(30)).until(() -> backEndThread.getState() == Thread.State.WAITING);
            runIteration(pipeline);
            assertEquals(pipeline.front().requestsSent(), pipeline.front().responsesReceived());
            assertTrue(pipeline.front().requestsSent() >= 2L * PAIRS_PER_ITERATION);
        }
        assertFalse(backEndThread.isAlive(), "back-end thread still running after close");
    }

    @ParameterizedTest
    @EnumSource(RingKind.class)
    void roundTripPipelineAnswersEachRequestBeforeTheNext(final RingKind kind)
    {
        final RingPipeline pipeline = RingPipelines.roundTrip(kind, 1);
        final Thread backEndThread;
        try (pipeline)
        {
            pipeline.start();
            backEndThread = pipeline.backEndThread();
            pipeline.resume();
            for (long i = 0; i < PAIRS_PER_ITERATION; i++)
            {
                assertEquals(i, pipeline.front().completePair());
                assertEquals(i + 1, pipeline.front().requestsSent(), "more than one request in flight");
            }
            pipeline.quiesce();
        }
        assertFalse(backEndThread.isAlive(), "back-end thread still running after close");
    }

    @Test
    void pvioWithSuppressionKicksLessThanOnEveryPush()
    {
        final long suppressedKicks = kicksForPairs(RingKind.PVIO);
        final long unsuppressedKicks = kicksForPairs(RingKind.PVIO_NO_SUPPRESSION);
        // without suppression every push kicks: one request push and at least one response push per batch of 8.
        assertTrue(unsuppressedKicks >= 2L * PAIRS_PER_ITERATION / 8, "kicks: " + unsuppressedKicks);
        assertTrue(suppressedKicks < unsuppressedKicks, suppressedKicks + " vs " + unsuppressedKicks);
    }

    @Test
    void peersNeverKick()
    {
        assertEquals(0, kicksForPairs(RingKind.JCTOOLS));
    }

    private static long kicksForPairs(final RingKind kind)
    {
        try (RingPipeline pipeline = RingPipelines.throughput(kind, 1, 8))
        {
            pipeline.start();
            runIteration(pipeline);
            return pipeline.kicks();
        }
    }

    private static void runIteration(final RingPipeline pipeline)
    {
        pipeline.resume();
        final RingFront front = pipeline.front();
        long expectedId = front.responsesReceived();
        for (int i = 0; i < PAIRS_PER_ITERATION; i++)
        {
            assertEquals(expectedId++, front.completePair());
        }
        pipeline.quiesce();
        assertEquals(front.requestsSent(), front.responsesReceived(), "responses outstanding after quiesce");
    }
}
