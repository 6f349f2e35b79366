package io.pvio.examples.bench.hypervisor;

import io.pvio.hypervisor.memory.MachineMemory;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Drives the grant benchmarks' JMH states without JMH: 1,000 operations each, checking what was read or copied
 * against the granted pages' pattern, and that nothing stays mapped.
 */
class BenchHypervisorGrantTest
{
    private static final int OPERATIONS = 1_000;

    private final Set<Thread> threadsBefore = VcpuThreads.live();

    @AfterEach
    void noVcpuThreadStarted()
    {
        assertEquals(Set.of(), VcpuThreads.startedSince(threadsBefore), "the granter's vCPU is MANUAL");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void mapUnmapReadsTheGrantedPageAndLeavesNothingMapped(final boolean readOnly)
    {
        final UnsafeBuffer expected = new UnsafeBuffer(new byte[Long.BYTES]);
        for (int i = 0; i < Long.BYTES; i++)
        {
            expected.putByte(i, GrantedPages.patternByte(0, i));
        }
        final GrantMapBenchmark benchmark = new GrantMapBenchmark();
        final GrantMapBenchmark.Grant state = new GrantMapBenchmark.Grant();
        state.readOnly = readOnly;
        state.start();
        try
        {
            for (int i = 0; i < OPERATIONS; i++)
            {
                assertEquals(expected.getLong(0), benchmark.mapUnmap(state));
            }
            assertEquals(0, state.mapping.mappingsHeld());
        }
        finally
        {
            state.stop();
        }
    }

    @ParameterizedTest(name = "{0} B x {1}")
    @CsvSource({"512, 1", "512, 16", "4096, 1", "4096, 16"})
    void copyBringsTheGrantedBytesAndNothingMore(final int lengthBytes, final int batchSize)
    {
        final GrantCopyBenchmark benchmark = new GrantCopyBenchmark();
        final GrantCopyBenchmark.Copies state = new GrantCopyBenchmark.Copies();
        state.lengthBytes = lengthBytes;
        state.batchSize = batchSize;
        state.start();
        try
        {
            for (int i = 0; i < batchSize; i++)
            {
                assertEquals(0, state.copier.destination(i).getLong(0), "destination starts scrubbed");
            }
            for (int i = 0; i < OPERATIONS; i++)
            {
                assertEquals(batchSize, benchmark.copy(state));
            }
            for (int page = 0; page < batchSize; page++)
            {
                final AtomicBuffer destination = state.copier.destination(page);
                for (int offset = 0; offset < MachineMemory.PAGE_SIZE_BYTES; offset++)
                {
                    final byte expected = offset < lengthBytes ? GrantedPages.patternByte(page, offset) : 0;
                    assertEquals(expected, destination.getByte(offset), "page " + page + " offset " + offset);
                }
            }
        }
        finally
        {
            state.stop();
        }
    }
}
