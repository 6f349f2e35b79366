package io.pvio.examples.bench.report;

import io.pvio.ring.blkif.BlkifRings;

import java.util.Locale;

/** Number formatting shared by the benchmark reports (Markdown tables, charts, console summaries). */
public final class Format
{
    private Format()
    {
    }

    /** E.g. {@code 12.3 M/s}, {@code 850 k/s}. */
    public static String pairsPerSecond(final double pairsPerSecond)
    {
        return si(pairsPerSecond) + "/s";
    }

    /** E.g. {@code 12.3 M}, {@code 850 k}, {@code 1.20 G}. */
    public static String si(final double value)
    {
        if (Double.isNaN(value))
        {
            return "n/a";
        }
        final double magnitude = Math.abs(value);
        if (magnitude >= 1e9)
        {
            return threeDigits(value / 1e9) + " G";
        }
        if (magnitude >= 1e6)
        {
            return threeDigits(value / 1e6) + " M";
        }
        if (magnitude >= 1e3)
        {
            return threeDigits(value / 1e3) + " k";
        }
        return threeDigits(value);
    }

    /** An axis tick at a power of ten: {@code 1}, {@code 10}, {@code 100}, {@code 1k} ... {@code 1G}. */
    public static String decadeTick(final double powerOfTen)
    {
        final String[] suffixes = {"", "k", "M", "G", "T"};
        final int exponent = (int)Math.round(Math.log10(powerOfTen));
        final int group = Math.min(Math.max(exponent, 0) / 3, suffixes.length - 1);
        final long mantissa = Math.round(powerOfTen / Math.pow(10, group * 3));
        return mantissa + suffixes[group];
    }

    /** E.g. {@code 0.85x}. */
    public static String ratio(final double ratio)
    {
        return Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2fx", ratio);
    }

    /** E.g. {@code 245 ns}. */
    public static String nanos(final double nanos)
    {
        return Double.isNaN(nanos) ? "n/a" : threeDigits(nanos) + " ns";
    }

    /** E.g. {@code 3.2}. */
    public static String decimal(final double value)
    {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.1f", value);
    }

    /** E.g. {@code 0.004}. */
    public static String bytes(final double value)
    {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.3f", value);
    }

    /** E.g. {@code 1 page}, {@code 16 pages}. */
    public static String pages(final int pages)
    {
        return pages + (pages == 1 ? " page" : " pages");
    }

    /** Entries of a blkif ring of {@code pages} pages, e.g. {@code 32 entries}; every peer holds as many. */
    public static String entries(final int pages)
    {
        if (pages <= 0 || Integer.bitCount(pages) != 1)
        {
            return "? entries";
        }
        return BlkifRings.X86_64.ringSize(Integer.numberOfTrailingZeros(pages)) + " entries";
    }

    private static String threeDigits(final double value)
    {
        final double magnitude = Math.abs(value);
        final String pattern = magnitude >= 100 ? "%.0f" : magnitude >= 10 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, pattern, value);
    }
}
