package io.pvio.examples.bench.block;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The host's steal time, from Linux's {@code /proc/stat}: the share of this machine's CPU time during which the
 * hypervisor below it ran something else while a vCPU wanted to run. On a shared host it comes in bursts (seconds
 * of 13-17% on this project's VM), and it costs the PV path, which keeps both vCPUs busy, about twice what it costs
 * the native path, which keeps one: a round with steal says why its ratio fell.
 */
final class StealTime
{
    /** Where Linux keeps the counters. */
    static final Path PROC_STAT = Path.of("/proc/stat");
    /** {@code cpu} user nice system idle iowait irq softirq steal: guest time that follows is inside user and nice. */
    private static final int STEAL_FIELD = 8;

    private StealTime()
    {
    }

    /**
     * The machine's CPU time so far, in clock ticks summed over every CPU ({@code /proc/stat}'s {@code cpu} line).
     *
     * @param stealTicks ticks stolen by the host.
     * @param totalTicks ticks of every kind up to and including steal.
     */
    record Reading(long stealTicks, long totalTicks)
    {
        /** The share of the time since {@code earlier} that was stolen; NaN if no tick passed. */
        double shareSince(final Reading earlier)
        {
            final long ticks = totalTicks - earlier.totalTicks;
            return ticks <= 0 ? Double.NaN : (double)(stealTicks - earlier.stealTicks) / ticks;
        }
    }

    /** Now, or {@code null} where {@code /proc/stat} cannot be read or gives no steal time (not Linux, old kernel). */
    static Reading read()
    {
        try
        {
            return parse(Files.readString(PROC_STAT));
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    /** The {@code cpu} line of a {@code /proc/stat} text, or {@code null} if it has none with a steal field. */
    static Reading parse(final String procStat)
    {
        for (final String line : procStat.split("\n"))
        {
            if (!line.startsWith("cpu "))
            {
                continue;
            }
            final String[] fields = line.trim().split("\\s+");
            if (fields.length <= STEAL_FIELD)
            {
                return null;
            }
            long total = 0;
            for (int i = 1; i <= STEAL_FIELD; i++)
            {
                total += Long.parseLong(fields[i]);
            }
            return new Reading(Long.parseLong(fields[STEAL_FIELD]), total);
        }
        return null;
    }

    /** Percent with one decimal, or {@code n/a}. */
    static String format(final double share)
    {
        return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }
}
