package io.pvio.backend.block;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GrantRefIndexTest
{
    private final GrantRefIndex index = new GrantRefIndex();

    @Test
    void answersWhatWasPutAndMissingForAnyOtherReference()
    {
        index.put(0, 10);
        index.put(511, 11);
        index.put(512, 12);
        index.put(32_767, 13);
        assertEquals(10, index.get(0));
        assertEquals(11, index.get(511));
        assertEquals(12, index.get(512));
        assertEquals(13, index.get(32_767));
        for (final int other : new int[] {1, 510, 513, 1024, 32_766, 32_768, 1 << 20, Integer.MAX_VALUE, -1,
            Integer.MIN_VALUE})
        {
            assertEquals(GrantRefIndex.MISSING, index.get(other), () -> "ref " + Integer.toUnsignedString(other));
        }
    }

    @Test
    void removeAndClearForgetAndPutAgainReplaces()
    {
        index.put(700, 1);
        index.put(700, 2);
        assertEquals(2, index.get(700));
        index.remove(700);
        index.remove(700);
        index.remove(99_999);
        assertEquals(GrantRefIndex.MISSING, index.get(700));
        index.put(3, 4);
        index.put(5_000, 6);
        index.clear();
        assertEquals(GrantRefIndex.MISSING, index.get(3));
        assertEquals(GrantRefIndex.MISSING, index.get(5_000));
    }

    @Test
    void refusesNegativeValuesWhichWouldReadAsMissing()
    {
        assertThrows(IllegalArgumentException.class, () -> index.put(1, -1));
        assertEquals(GrantRefIndex.MISSING, index.get(1));
    }
}
