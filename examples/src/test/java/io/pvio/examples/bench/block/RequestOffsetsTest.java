package io.pvio.examples.bench.block;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both paths must visit the same offsets: a pure function of seed and request number, aligned and in the image. */
class RequestOffsetsTest
{
    private static final long IMAGE_BYTES = 16L << 20;

    @Test
    void randomOffsetsAreAlignedInsideTheImageAndTheSameForTheSameSeed()
    {
        final RequestOffsets first = new RequestOffsets(BlockWorkload.RAND_WRITE_4K_QD32, IMAGE_BYTES, 7);
        final RequestOffsets again = new RequestOffsets(BlockWorkload.RAND_WRITE_4K_QD32, IMAGE_BYTES, 7);
        final RequestOffsets otherSeed = new RequestOffsets(BlockWorkload.RAND_WRITE_4K_QD32, IMAGE_BYTES, 8);
        final Set<Long> seen = new HashSet<>();
        int differ = 0;
        for (long i = 0; i < 10_000; i++)
        {
            final long offset = first.offsetBytes(i);
            assertEquals(0, offset % 4096, "aligned");
            assertTrue(offset >= 0 && offset + 4096 <= IMAGE_BYTES, "inside: " + offset);
            assertEquals(offset, again.offsetBytes(i));
            differ += offset != otherSeed.offsetBytes(i) ? 1 : 0;
            seen.add(offset);
        }
        assertTrue(differ > 9_000, "another seed, other offsets: " + differ);
        // 10,000 draws over 4,096 blocks touch nearly all of them (uniform: expect 4,096 * (1 - e^-2.44) = 3,735)
        assertTrue(seen.size() > 3_600, "spread: " + seen.size());
    }

    @Test
    void sequentialOffsetsGoInOrderAndWrap()
    {
        final RequestOffsets offsets = new RequestOffsets(BlockWorkload.SEQ_READ_1M, IMAGE_BYTES, 7);
        for (long i = 0; i < 16; i++)
        {
            assertEquals(i << 20, offsets.offsetBytes(i));
        }
        assertEquals(0, offsets.offsetBytes(16));
        assertEquals(3L << 20, offsets.offsetBytes(16 * 5 + 3));
    }

    @Test
    void workloadsAreFoundByTheirStableNamesOnly()
    {
        assertEquals(BlockWorkload.SEQ_WRITE_1M, BlockWorkload.byName("seq-write-1m"));
        assertEquals("rand-read-4k-qd1,rand-read-4k-qd32,rand-write-4k-qd1,rand-write-4k-qd32,seq-read-1m," +
            "seq-write-1m", BlockWorkload.names());
        final IllegalArgumentException unknown =
            assertThrows(IllegalArgumentException.class, () -> BlockWorkload.byName("SEQ_WRITE_1M"));
        assertTrue(unknown.getMessage().contains("valid: rand-read-4k-qd1"), unknown.getMessage());
        assertNotEquals(BlockWorkload.RAND_READ_4K_QD1.queueDepth(8), BlockWorkload.SEQ_READ_1M.queueDepth(8));
        assertEquals(8, BlockWorkload.SEQ_READ_1M.queueDepth(8));
    }
}
