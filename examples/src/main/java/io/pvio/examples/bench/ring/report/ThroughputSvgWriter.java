package io.pvio.examples.bench.ring.report;

import io.pvio.examples.bench.report.Format;
import io.pvio.examples.bench.ring.RingKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedSet;

import static io.pvio.examples.bench.ring.report.BenchmarkKind.THROUGHPUT;

/**
 * Draws the throughput chart as a self-contained SVG: one panel per ring size, batch size on the x axis, pairs per
 * second on a logarithmic y axis (shared by the panels), one series per ring (median, with a bar spanning the fork
 * range) and a legend.
 */
public final class ThroughputSvgWriter
{
    private static final int PANEL_WIDTH = 440;
    private static final int PANEL_HEIGHT = 330;
    private static final int MARGIN_LEFT = 72;
    private static final int MARGIN_RIGHT = 24;
    private static final int MARGIN_TOP = 56;
    private static final int MARGIN_BOTTOM = 44;
    private static final int LEGEND_ROW_HEIGHT = 20;
    private static final int LEGEND_COLUMNS = 3;
    private static final int LEGEND_COLUMN_WIDTH = 290;

    private ThroughputSvgWriter()
    {
    }

    /** The chart of {@code results}' throughput measurements, as an SVG document. */
    public static String write(final RingResults results)
    {
        final List<RingMeasurement> measurements = results.of(THROUGHPUT);
        final SortedSet<Integer> pagesSet = results.pages(THROUGHPUT);
        final List<Integer> batchSizes = new ArrayList<>(results.batchSizes(THROUGHPUT));
        final List<RingKind> rings = ringsPresent(measurements);
        final int panels = Math.max(1, pagesSet.size());
        final int legendRows = (rings.size() + LEGEND_COLUMNS - 1) / LEGEND_COLUMNS;
        final int width = Math.max(panels * PANEL_WIDTH, LEGEND_COLUMNS * LEGEND_COLUMN_WIDTH) + 20;
        final int height = PANEL_HEIGHT + 30 + legendRows * LEGEND_ROW_HEIGHT + 20;

        final StringBuilder svg = new StringBuilder(16 * 1024);
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
            .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
            .append("\" font-family=\"sans-serif\" font-size=\"12\">\n")
            .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n")
            .append("<text x=\"").append(width / 2).append("\" y=\"22\" text-anchor=\"middle\" font-size=\"16\">")
            .append("Request/response pairs per second by batch size (median over forks)</text>\n");
        if (measurements.isEmpty())
        {
            svg.append("<text x=\"20\" y=\"80\">no throughput results</text>\n</svg>\n");
            return svg.toString();
        }
        final LogScale scale = LogScale.covering(measurements);
        int panel = 0;
        for (final int pages : pagesSet)
        {
            panel(svg, results, panel * PANEL_WIDTH, pages, batchSizes, rings, scale);
            panel++;
        }
        legend(svg, rings, PANEL_HEIGHT + 20);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void panel(
        final StringBuilder svg,
        final RingResults results,
        final int originX,
        final int pages,
        final List<Integer> batchSizes,
        final List<RingKind> rings,
        final LogScale scale)
    {
        final int left = originX + MARGIN_LEFT;
        final int right = originX + PANEL_WIDTH - MARGIN_RIGHT;
        final int top = MARGIN_TOP;
        final int bottom = PANEL_HEIGHT - MARGIN_BOTTOM;
        svg.append("<g class=\"panel\" data-pages=\"").append(pages).append("\">\n")
            .append("<text x=\"").append((left + right) / 2).append("\" y=\"").append(top - 14)
            .append("\" text-anchor=\"middle\" font-size=\"14\">").append(Format.pages(pages)).append(" (")
            .append(Format.entries(pages)).append(")</text>\n");
        for (double tick = scale.minimum; tick <= scale.maximum * 1.0001; tick *= 10)
        {
            final double y = scale.y(tick, top, bottom);
            svg.append("<line x1=\"").append(left).append("\" x2=\"").append(right).append("\" y1=\"")
                .append(fixed(y)).append("\" y2=\"").append(fixed(y)).append("\" stroke=\"#dddddd\"/>\n")
                .append("<text x=\"").append(left - 6).append("\" y=\"").append(fixed(y + 4))
                .append("\" text-anchor=\"end\">").append(Format.decadeTick(tick)).append("</text>\n");
        }
        svg.append("<line x1=\"").append(left).append("\" x2=\"").append(left).append("\" y1=\"").append(top)
            .append("\" y2=\"").append(bottom).append("\" stroke=\"black\"/>\n")
            .append("<line x1=\"").append(left).append("\" x2=\"").append(right).append("\" y1=\"").append(bottom)
            .append("\" y2=\"").append(bottom).append("\" stroke=\"black\"/>\n")
            .append("<text x=\"").append(originX + 16).append("\" y=\"").append((top + bottom) / 2)
            .append("\" text-anchor=\"middle\" transform=\"rotate(-90 ").append(originX + 16).append(' ')
            .append((top + bottom) / 2).append(")\">pairs/s (log scale)</text>\n");
        for (int i = 0; i < batchSizes.size(); i++)
        {
            final double x = x(i, batchSizes.size(), left, right);
            svg.append("<text x=\"").append(fixed(x)).append("\" y=\"").append(bottom + 18)
                .append("\" text-anchor=\"middle\">").append(batchSizes.get(i)).append("</text>\n");
        }
        svg.append("<text x=\"").append((left + right) / 2).append("\" y=\"").append(bottom + 36)
            .append("\" text-anchor=\"middle\">batch size</text>\n");
        for (final RingKind ring : rings)
        {
            series(svg, results, ring, pages, batchSizes, scale, left, right, top, bottom);
        }
        svg.append("</g>\n");
    }

    private static void series(
        final StringBuilder svg,
        final RingResults results,
        final RingKind ring,
        final int pages,
        final List<Integer> batchSizes,
        final LogScale scale,
        final int left,
        final int right,
        final int top,
        final int bottom)
    {
        final StringBuilder points = new StringBuilder();
        final StringBuilder markers = new StringBuilder();
        for (int i = 0; i < batchSizes.size(); i++)
        {
            final Optional<RingMeasurement> found = results.find(THROUGHPUT, ring, pages, batchSizes.get(i));
            if (found.isEmpty())
            {
                continue;
            }
            final RingMeasurement measurement = found.get();
            final double x = x(i, batchSizes.size(), left, right);
            final double y = scale.y(measurement.median(), top, bottom);
            points.append(points.length() == 0 ? "" : " ").append(fixed(x)).append(',').append(fixed(y));
            markers.append("<line x1=\"").append(fixed(x)).append("\" x2=\"").append(fixed(x)).append("\" y1=\"")
                .append(fixed(scale.y(measurement.score().min(), top, bottom))).append("\" y2=\"")
                .append(fixed(scale.y(measurement.score().max(), top, bottom))).append("\" stroke=\"")
                .append(SeriesStyle.of(ring).color()).append("\" stroke-opacity=\"0.5\"/>\n")
                .append("<circle cx=\"").append(fixed(x)).append("\" cy=\"").append(fixed(y))
                .append("\" r=\"3.5\" fill=\"").append(SeriesStyle.of(ring).color()).append("\"><title>")
                .append(escape(ring.label())).append(", batch ").append(batchSizes.get(i)).append(": ")
                .append(Format.pairsPerSecond(measurement.median())).append("</title></circle>\n");
        }
        if (points.length() == 0)
        {
            return;
        }
        svg.append("<g class=\"series\" data-ring=\"").append(ring.name()).append("\">\n")
            .append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(SeriesStyle.of(ring).color())
            .append('"').append(SeriesStyle.of(ring).dashArray()).append(" points=\"").append(points)
            .append("\"/>\n").append(markers).append("</g>\n");
    }

    private static void legend(final StringBuilder svg, final List<RingKind> rings, final int top)
    {
        svg.append("<g class=\"legend\">\n");
        for (int i = 0; i < rings.size(); i++)
        {
            final RingKind ring = rings.get(i);
            final int x = 20 + (i % LEGEND_COLUMNS) * LEGEND_COLUMN_WIDTH;
            final int y = top + (i / LEGEND_COLUMNS) * LEGEND_ROW_HEIGHT;
            svg.append("<g class=\"legend-entry\" data-ring=\"").append(ring.name()).append("\">")
                .append("<line x1=\"").append(x).append("\" x2=\"").append(x + 28).append("\" y1=\"").append(y)
                .append("\" y2=\"").append(y).append("\" stroke-width=\"2\" stroke=\"")
                .append(SeriesStyle.of(ring).color()).append('"').append(SeriesStyle.of(ring).dashArray())
                .append("/><text x=\"").append(x + 36).append("\" y=\"").append(y + 4).append("\">")
                .append(escape(ring.label())).append("</text></g>\n");
        }
        svg.append("</g>\n");
    }

    private static List<RingKind> ringsPresent(final List<RingMeasurement> measurements)
    {
        final List<RingKind> rings = new ArrayList<>();
        for (final RingKind ring : RingKind.values())
        {
            for (final RingMeasurement measurement : measurements)
            {
                if (measurement.ring() == ring)
                {
                    rings.add(ring);
                    break;
                }
            }
        }
        return rings;
    }

    private static double x(final int index, final int count, final int left, final int right)
    {
        final double step = (right - left) / (double)count;
        return left + step * (index + 0.5);
    }

    private static String fixed(final double value)
    {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** A logarithmic y scale from one power of ten to another, covering every fork score. */
    private static final class LogScale
    {
        private final double minimum;
        private final double maximum;

        private LogScale(final double minimum, final double maximum)
        {
            this.minimum = minimum;
            this.maximum = maximum;
        }

        static LogScale covering(final List<RingMeasurement> measurements)
        {
            double low = Double.MAX_VALUE;
            double high = 0;
            for (final RingMeasurement measurement : measurements)
            {
                low = Math.min(low, measurement.score().min());
                high = Math.max(high, measurement.score().max());
            }
            low = Math.max(low, 1);
            high = Math.max(high, low);
            final double minimum = Math.pow(10, Math.floor(Math.log10(low)));
            double maximum = Math.pow(10, Math.ceil(Math.log10(high)));
            if (maximum <= minimum)
            {
                maximum = minimum * 10;
            }
            return new LogScale(minimum, maximum);
        }

        double y(final double value, final int top, final int bottom)
        {
            final double clamped = Math.min(Math.max(value, minimum), maximum);
            final double fraction = Math.log10(clamped / minimum) / Math.log10(maximum / minimum);
            return bottom - fraction * (bottom - top);
        }
    }
}
