package io.pvio.examples.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reading JMH's JSON result (as parsed by {@link JsonParser} into maps, lists, strings and doubles): the helpers every
 * suite's result parser shares. Malformed input is an {@link IllegalArgumentException} saying what was expected.
 */
public final class JmhJson
{
    private JmhJson()
    {
    }

    /** A metric's {@code rawData}: one list of iteration values per fork. */
    public static List<List<Double>> rawData(final Map<?, ?> metric)
    {
        final Object raw = metric.get("rawData");
        if (!(raw instanceof List))
        {
            throw new IllegalArgumentException("metric without rawData");
        }
        final List<List<Double>> forks = new ArrayList<>();
        for (final Object fork : (List<?>)raw)
        {
            if (!(fork instanceof List))
            {
                throw new IllegalArgumentException("rawData must hold one array per fork");
            }
            final List<Double> iterations = new ArrayList<>();
            for (final Object value : (List<?>)fork)
            {
                iterations.add(toDouble(value));
            }
            forks.add(iterations);
        }
        return forks;
    }

    /** The sum of every iteration of every fork, rounded: the total of a counter such as JMH's aux counters. */
    public static long sum(final List<List<Double>> forks)
    {
        double total = 0;
        for (final List<Double> iterations : forks)
        {
            for (final double value : iterations)
            {
                total += value;
            }
        }
        return Math.round(total);
    }

    public static Map<?, ?> asObject(final Object value, final String what)
    {
        if (!(value instanceof Map))
        {
            throw new IllegalArgumentException(what + " must be a JSON object");
        }
        return (Map<?, ?>)value;
    }

    /** A required member, as a string. */
    public static String string(final Map<?, ?> object, final String name)
    {
        final Object value = object.get(name);
        if (value == null)
        {
            throw new IllegalArgumentException("missing \"" + name + "\"");
        }
        return String.valueOf(value);
    }

    /** An optional member, as a string, or {@code ?}. */
    public static String optionalString(final Map<?, ?> object, final String name)
    {
        final Object value = object.get(name);
        return value == null ? "?" : String.valueOf(value);
    }

    /** A numeric member, or 0 when absent (JMH writes "NaN" and infinities as strings). */
    public static double numberOrZero(final Map<?, ?> object, final String name)
    {
        final Object value = object.get(name);
        return value == null ? 0 : toDouble(value);
    }

    public static double toDouble(final Object value)
    {
        if (value instanceof Double)
        {
            return (Double)value;
        }
        if (value instanceof String)
        {
            return Double.parseDouble((String)value);
        }
        throw new IllegalArgumentException("expected a number: " + value);
    }
}
