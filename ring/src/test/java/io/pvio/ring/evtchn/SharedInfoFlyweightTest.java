package io.pvio.ring.evtchn;

import io.pvio.ring.SharedMemory;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedInfoFlyweightTest
{
    private static final int SHARED_INFO_OFFSET = 4096;
    /** Enough racing rounds that a non-atomic read-modify-write is caught (checked against such a mutant). */
    private static final int MIN_ROUNDS = 1_000_000;
    private static final int MAX_ROUNDS = 50_000_000;

    private AtomicBuffer buffer;
    private final SharedInfoFlyweight sharedInfo = new SharedInfoFlyweight();

    @BeforeEach
    void setUp()
    {
        buffer = SharedMemory.allocateOffHeap(2 * 4096).buffer();
        sharedInfo.wrap(buffer, SHARED_INFO_OFFSET);
    }

    @Test
    void descriptorMatchesHeaderFigures()
    {
        assertEquals(4096, SharedInfoDescriptor.NR_EVENT_CHANNELS);
        assertEquals(2048, SharedInfoDescriptor.EVTCHN_PENDING_OFFSET);
        assertEquals(2560, SharedInfoDescriptor.EVTCHN_MASK_OFFSET);
        assertEquals(3072, SharedInfoDescriptor.WC_VERSION_OFFSET);
        assertEquals(3136, SharedInfoDescriptor.LENGTH);
        assertEquals(63, SharedInfoDescriptor.wordIndex(4095));
        assertEquals(1L << 63, SharedInfoDescriptor.bitMask(4095));
        assertEquals(64 * 31, SharedInfoDescriptor.vcpuInfoOffset(31));
    }

    @Test
    void pendingBitsLandAtTheirWordAndBit()
    {
        assertFalse(sharedInfo.testAndSetPending(70));
        assertTrue(sharedInfo.testAndSetPending(70));
        assertEquals(1L << 6, buffer.getLong(SHARED_INFO_OFFSET + 2048 + 8));
        assertTrue(sharedInfo.isPending(70));
        assertFalse(sharedInfo.isPending(71));

        assertTrue(sharedInfo.testAndClearPending(70));
        assertFalse(sharedInfo.testAndClearPending(70));
        assertEquals(0L, buffer.getLong(SHARED_INFO_OFFSET + 2048 + 8));

        sharedInfo.testAndSetPending(4095);
        assertEquals(Long.MIN_VALUE, sharedInfo.pendingWordVolatile(63));
    }

    @Test
    void maskBitsAreSeparateFromPending()
    {
        assertFalse(sharedInfo.testAndSetMask(3));
        assertTrue(sharedInfo.isMasked(3));
        assertFalse(sharedInfo.isPending(3));
        assertEquals(1L << 3, buffer.getLong(SHARED_INFO_OFFSET + 2560));
        assertTrue(sharedInfo.testAndClearMask(3));
        assertFalse(sharedInfo.testAndClearMask(3));
        assertEquals(0L, sharedInfo.maskWordVolatile(0));
    }

    @Test
    void scannerTakesUnmaskedBitsAndLeavesMaskedOnesPending()
    {
        sharedInfo.testAndSetPending(128);
        sharedInfo.testAndSetPending(129);
        sharedInfo.testAndSetMask(129);
        final long unmasked = sharedInfo.pendingWordVolatile(2) & ~sharedInfo.maskWordVolatile(2);

        assertEquals(0b11L, sharedInfo.getAndClearPendingBits(2, unmasked));
        assertFalse(sharedInfo.isPending(128));
        assertTrue(sharedInfo.isPending(129));

        assertEquals(0b10L, sharedInfo.exchangePendingWord(2, 0L));
        assertEquals(0L, sharedInfo.pendingWordVolatile(2));
    }

    @Test
    void upcallPendingAndMaskBytes()
    {
        final int vcpu7 = SHARED_INFO_OFFSET + 7 * 64;
        assertFalse(sharedInfo.testAndSetUpcallPending(7));
        assertTrue(sharedInfo.testAndSetUpcallPending(7));
        assertEquals(1, buffer.getByte(vcpu7));
        assertEquals(0, buffer.getByte(vcpu7 + 1));

        sharedInfo.upcallMask(7, true);
        assertEquals(1, buffer.getByte(vcpu7 + 1));
        assertTrue(sharedInfo.upcallMask(7));
        assertTrue(sharedInfo.upcallPending(7));
        assertTrue(sharedInfo.unmaskUpcallsAndCheckPending(7));
        assertFalse(sharedInfo.upcallMask(7));

        sharedInfo.clearUpcallPending(7);
        assertFalse(sharedInfo.upcallPending(7));
        assertFalse(sharedInfo.unmaskUpcallsAndCheckPending(7));
        assertEquals(0, buffer.getInt(vcpu7), "other vCPUs' and padding bytes untouched");
    }

    @Test
    void upcallPendingTestAndSetKeepsTheMaskByte()
    {
        sharedInfo.upcallMask(0, true);
        assertFalse(sharedInfo.testAndSetUpcallPending(0));
        assertTrue(sharedInfo.upcallMask(0));
        assertEquals(0x0101, buffer.getInt(SHARED_INFO_OFFSET));
    }

    @Test
    void pendingSelectorSetAndExchange()
    {
        assertFalse(sharedInfo.testAndSetPendingSel(31, 63));
        assertTrue(sharedInfo.testAndSetPendingSel(31, 63));
        assertFalse(sharedInfo.testAndSetPendingSel(31, 0));
        assertEquals(Long.MIN_VALUE | 1L, buffer.getLong(SHARED_INFO_OFFSET + 31 * 64 + 8));
        assertEquals(Long.MIN_VALUE | 1L, sharedInfo.exchangePendingSelToZero(31));
        assertEquals(0L, sharedInfo.pendingSelVolatile(31));
        assertThrows(IllegalArgumentException.class, () -> sharedInfo.testAndSetPendingSel(0, 64));
    }

    @Test
    void rejectsPortsVcpusAndRegionsOutOfRange()
    {
        assertThrows(IllegalArgumentException.class, () -> sharedInfo.testAndSetPending(4096));
        assertThrows(IllegalArgumentException.class, () -> sharedInfo.testAndSetMask(-1));
        assertThrows(IllegalArgumentException.class, () -> sharedInfo.testAndSetUpcallPending(32));
        assertThrows(IllegalArgumentException.class, () -> sharedInfo.pendingWordVolatile(64));
        assertThrows(IllegalArgumentException.class, () -> new SharedInfoFlyweight().wrap(buffer, 4));
        assertThrows(IllegalArgumentException.class, () -> new SharedInfoFlyweight().wrap(buffer, 2 * 4096 - 8));
    }

    @Test
    void concurrentTestAndSetFromTwoThreadsLosesNoBit() throws Exception
    {
        // Each thread owns alternate bits of the same pending word and toggles them: with nobody else touching its
        // bits, every test-and-set must see 0 and every test-and-clear 1. A read-modify-write that overwrote the
        // other thread's concurrent change shows up as a wrong answer there or as a bit left set at the end.
        final int[] wrong = race(
            (flyweight, round) -> toggleOwnPendingBit(flyweight, 0, round),
            (flyweight, round) -> toggleOwnPendingBit(flyweight, 1, round));

        assertEquals(0, wrong[0], "wrong answers seen by the even-bit thread");
        assertEquals(0, wrong[1], "wrong answers seen by the odd-bit thread");
        assertEquals(0L, sharedInfo.pendingWordVolatile(1));
    }

    @Test
    void upcallPendingTestAndSetRacingGuestMaskStoresLosesNeither() throws Exception
    {
        final int[] wrong = race(
            (flyweight, round) ->
            {
                int errors = flyweight.testAndSetUpcallPending(3) ? 1 : 0;
                errors += flyweight.testAndSetUpcallPending(3) ? 0 : 1;
                flyweight.clearUpcallPending(3);
                return errors;
            },
            (flyweight, round) ->
            {
                flyweight.upcallMask(3, true);
                int errors = flyweight.upcallMask(3) ? 0 : 1;
                flyweight.upcallMask(3, false);
                errors += flyweight.upcallMask(3) ? 1 : 0;
                return errors;
            });

        assertEquals(0, wrong[0], "upcall_pending updates lost");
        assertEquals(0, wrong[1], "upcall_mask stores overwritten");
        assertEquals(0, buffer.getInt(SHARED_INFO_OFFSET + 3 * 64));
    }

    private static int toggleOwnPendingBit(final SharedInfoFlyweight flyweight, final int parity, final int round)
    {
        final int bit = parity + 2 * (round & 31);
        final int port = 64 + bit;
        int errors = flyweight.testAndSetPending(port) ? 1 : 0;
        errors += flyweight.testAndSetPending(port) ? 0 : 1;
        if ((round & 1) == 0)
        {
            errors += flyweight.testAndClearPending(port) ? 0 : 1;
        }
        else
        {
            errors += (flyweight.getAndClearPendingBits(1, 1L << bit) & (1L << bit)) != 0 ? 0 : 1;
        }
        errors += flyweight.isPending(port) ? 1 : 0;
        return errors;
    }

    /** One round of a racing thread's work; returns the wrong answers it saw. */
    @FunctionalInterface
    private interface Round
    {
        int run(SharedInfoFlyweight flyweight, int round);
    }

    /**
     * Runs two threads until each has done {@link #MIN_ROUNDS} rounds while the other was still running, so they
     * truly overlap even when the scheduler starts one late; returns the wrong answers each saw.
     */
    private int[] race(final Round first, final Round second) throws Exception
    {
        final CyclicBarrier start = new CyclicBarrier(2);
        final AtomicInteger threadsPastMinimum = new AtomicInteger();
        final ExecutorService pool = Executors.newFixedThreadPool(2);
        try
        {
            final Future<Integer> a = pool.submit(() -> runRounds(first, start, threadsPastMinimum));
            final Future<Integer> b = pool.submit(() -> runRounds(second, start, threadsPastMinimum));
            return new int[]{ a.get(60, TimeUnit.SECONDS), b.get(60, TimeUnit.SECONDS) };
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    private int runRounds(final Round body, final CyclicBarrier start, final AtomicInteger threadsPastMinimum)
        throws Exception
    {
        final SharedInfoFlyweight flyweight = new SharedInfoFlyweight().wrap(buffer, SHARED_INFO_OFFSET);
        start.await(30, TimeUnit.SECONDS);
        int wrong = 0;
        for (int round = 0; round < MAX_ROUNDS && (round < MIN_ROUNDS || threadsPastMinimum.get() < 2); round++)
        {
            wrong += body.run(flyweight, round);
            if (round == MIN_ROUNDS - 1)
            {
                threadsPastMinimum.incrementAndGet();
            }
        }
        return wrong;
    }
}
