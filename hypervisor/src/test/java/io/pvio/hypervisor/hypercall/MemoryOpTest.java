package io.pvio.hypervisor.hypercall;

import io.pvio.hypervisor.ScriptedGuest;
import io.pvio.hypervisor.TestHypervisor;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MemoryOpTest
{
    private final TestHypervisor t = TestHypervisor.boot(64);
    private final Domain domU = t.createRunning(
        TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])).memoryPages(8).maxPages(12).gfnCount(16));
    private final MemoryOp memory = domU.hypercalls().memory();

    @AfterEach
    void close()
    {
        t.close();
    }

    @Test
    void balloonGrowsToTheCeilingAndShrinks()
    {
        assertEquals(8, memory.currentReservation(DomainId.SELF));
        assertEquals(12, memory.maximumReservation(DomainId.SELF));
        final long[] gfns = new long[6];
        assertEquals(4, memory.increaseReservation(DomainId.SELF, 6, gfns), "partial: stops at the ceiling");
        assertArrayEquals(new long[] {8, 9, 10, 11, 0, 0}, gfns);
        assertEquals(12, memory.currentReservation(DomainId.SELF));
        assertEquals(0, domU.guestMemory().frame(11).getLong(0), "fresh frames are zeroed");

        assertEquals(2, memory.decreaseReservation(DomainId.SELF, new long[] {9, 10, 3}, 2));
        assertEquals(10, memory.currentReservation(DomainId.SELF));
        assertEquals(1, memory.decreaseReservation(DomainId.SELF, new long[] {3, 9, 4}, 3), "stops at gfn 9");
        assertEquals(1, memory.populatePhysmap(DomainId.SELF, new long[] {15, 15}, 2));
        assertEquals(0, memory.increaseReservation(DomainId.SELF, 0, new long[0]));
        assertEquals(XenErrno.EINVAL, assertThrows(HypercallException.class,
            () -> memory.increaseReservation(DomainId.SELF, 2, new long[1])).errno());
    }

    @Test
    void dom0ManagesOtherDomainsMemory()
    {
        final MemoryOp dom0Memory = t.dom0Hypercalls().memory();
        t.dom0Hypercalls().domctl().setMaxMem(domU.domid(), 9);
        assertEquals(9, dom0Memory.maximumReservation(domU.domid()));
        assertEquals(1, dom0Memory.populatePhysmap(domU.domid(), new long[] {13}, 1));
        assertEquals(9, dom0Memory.currentReservation(domU.domid()));
        assertEquals(XenErrno.ENOMEM, assertThrows(HypercallException.class,
            () -> dom0Memory.populatePhysmap(domU.domid(), new long[] {14}, 1)).errno());
        assertEquals(XenErrno.ESRCH, assertThrows(HypercallException.class,
            () -> dom0Memory.currentReservation(999)).errno());
        assertEquals(XenErrno.EINVAL, assertThrows(HypercallException.class,
            () -> t.dom0Hypercalls().domctl().setMaxMem(domU.domid(), -1)).errno());
    }

    @Test
    void machineExhaustionIsEnomem()
    {
        t.dom0Hypercalls().domctl().setMaxMem(domU.domid(), 1_000);
        final Domain big = domU;
        final long[] gfns = new long[8];
        final int free = t.hv.memory().freeFrameCount();
        final int added = big.hypercalls().memory().increaseReservation(DomainId.SELF, 8, gfns);
        assertEquals(Math.min(8, free), added);
        assertEquals(Math.max(0, free - 8), t.hv.memory().freeFrameCount());
    }

    @Test
    void twoVcpusBallooningAtOnceNeverPickTheSameGfn() throws Exception
    {
        try (TestHypervisor big = TestHypervisor.boot(4096))
        {
            final Domain guest = big.createRunning(TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1]))
                .memoryPages(8).maxPages(3208).gfnCount(3208));
            final MemoryOp op = guest.hypercalls().memory();
            final long[][] gfns = new long[2][1600];
            final CyclicBarrier start = new CyclicBarrier(2);
            final ExecutorService pool = Executors.newFixedThreadPool(2);
            try
            {
                final List<Future<Integer>> results = new ArrayList<>();
                for (final long[] out : gfns)
                {
                    results.add(pool.submit(() ->
                    {
                        start.await();
                        int added = 0;
                        for (int i = 0; i < out.length; i++)
                        {
                            // one frame per call maximises the interleaving between the two threads
                            final long[] one = new long[1];
                            added += op.increaseReservation(DomainId.SELF, 1, one);
                            out[i] = one[0];
                        }
                        return added;
                    }));
                }
                for (final Future<Integer> result : results)
                {
                    assertEquals(1600, result.get(60, TimeUnit.SECONDS));
                }
            }
            finally
            {
                pool.shutdownNow();
            }
            final Set<Long> distinct = new HashSet<>();
            for (final long[] out : gfns)
            {
                for (final long gfn : out)
                {
                    distinct.add(gfn);
                }
            }
            assertEquals(3200, distinct.size(), "every frame went to a different gfn");
            assertEquals(3208, op.currentReservation(DomainId.SELF));
        }
    }
}
