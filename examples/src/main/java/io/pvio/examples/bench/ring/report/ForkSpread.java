package io.pvio.examples.bench.ring.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A score summarised over forks: each fork contributes one score (the median of its measured iterations), and the
 * configuration's score is the median of those, with the range across forks. Medians, because on a shared machine
 * single iterations and whole forks swing by several times.
 *
 * @param median median of the fork scores.
 * @param min    lowest fork score.
 * @param max    highest fork score.
 * @param forks  forks measured.
 */
public record ForkSpread(double median, double min, double max, int forks)
{
    /**
     * @param iterationsByFork the measured iteration scores, one list per fork (JMH's {@code rawData}).
     * @throws IllegalArgumentException if there is no fork or a fork has no iteration.
     */
    public static ForkSpread ofIterations(final List<List<Double>> iterationsByFork)
    {
        if (iterationsByFork.isEmpty())
        {
            throw new IllegalArgumentException("no fork measured");
        }
        final List<Double> forkScores = new ArrayList<>(iterationsByFork.size());
        for (final List<Double> iterations : iterationsByFork)
        {
            forkScores.add(median(iterations));
        }
        return new ForkSpread(
            median(forkScores), Collections.min(forkScores), Collections.max(forkScores), forkScores.size());
    }

    /** The median: the middle value, or the mean of the two middle values. */
    static double median(final List<Double> values)
    {
        if (values.isEmpty())
        {
            throw new IllegalArgumentException("median of nothing");
        }
        final List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        final int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2.0;
    }
}
