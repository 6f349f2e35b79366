package io.pvio.examples.bench.report;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BenchJsonParserTest
{
    @Test
    void readsNestedValues()
    {
        final Object value = JsonParser.parse(
            " {\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"x\\\"\\u00e9\\n\"}, \"d\": []} ");

        final Map<?, ?> object = (Map<?, ?>)value;
        assertEquals(Arrays.asList(1.0, -2500.0, true, false, null), object.get("a"));
        assertEquals("x\"\u00e9\n", ((Map<?, ?>)object.get("b")).get("c"));
        assertEquals(List.of(), object.get("d"));
        assertNull(JsonParser.parse("null"));
    }

    @Test
    void rejectsMalformedInput()
    {
        for (final String bad : new String[] {"", "{", "[1,]", "{\"a\" 1}", "[1] x", "\"\\q\"", "tru", "[--1]"})
        {
            assertThrows(IllegalArgumentException.class, () -> JsonParser.parse(bad), bad);
        }
    }

    @Test
    void rejectsExcessiveNesting()
    {
        assertThrows(IllegalArgumentException.class, () -> JsonParser.parse("[".repeat(100) + "]".repeat(100)));
    }
}
