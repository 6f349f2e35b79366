package io.pvio.hypervisor.guest;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static io.pvio.hypervisor.guest.RetryBackoff.MAX_DELAY_NS;
import static io.pvio.hypervisor.guest.RetryBackoff.MIN_DELAY_NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wait between retries of giving back grants, on a fake clock. */
class RetryBackoffTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void doublesWhileNothingComesBackUpToASecondAndStartsOverWhenSomethingDoes()
    {
        final RetryBackoff backoff = new RetryBackoff();
        long nowNs = Long.MAX_VALUE - 5 * MS; // deadlines wrap: compared by subtraction
        assertTrue(backoff.isDue(nowNs), "nothing held yet: due at once");
        assertEquals(MIN_DELAY_NS, backoff.waitNs(nowNs, false));
        long expectedNs = MIN_DELAY_NS;
        int retries = 0;
        while (expectedNs < MAX_DELAY_NS)
        {
            // duty cycles before the deadline (events, spinning) do not stretch the wait
            assertFalse(backoff.isDue(nowNs + expectedNs - 1));
            assertEquals(1, backoff.waitNs(nowNs + expectedNs - 1, false));
            nowNs += expectedNs;
            assertTrue(backoff.isDue(nowNs));
            expectedNs = Math.min(expectedNs * 2, MAX_DELAY_NS);
            assertEquals(expectedNs, backoff.waitNs(nowNs, false));
            retries++;
        }
        assertEquals(10, retries, "1, 2, 4 ... 512 ms, then 1 s");
        nowNs += MAX_DELAY_NS;
        assertEquals(MAX_DELAY_NS, backoff.waitNs(nowNs, false), "capped");

        assertEquals(MIN_DELAY_NS, backoff.waitNs(nowNs + 5, true), "something came back: soon again");
        backoff.reset();
        assertTrue(backoff.isDue(nowNs + 6));
        assertEquals(MIN_DELAY_NS, backoff.waitNs(nowNs + 6, false));
    }
}
