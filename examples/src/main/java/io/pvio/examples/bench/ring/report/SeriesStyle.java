package io.pvio.examples.bench.ring.report;

import io.pvio.examples.bench.ring.RingKind;

/**
 * Colour and dash of each ring's series in the chart: pvio in red (orange and dashed without suppression), peers in
 * distinct colours.
 *
 * @param color     SVG colour.
 * @param dashArray an SVG {@code stroke-dasharray} attribute with a leading space, or empty for a solid line.
 */
record SeriesStyle(String color, String dashArray)
{
    static SeriesStyle of(final RingKind ring)
    {
        switch (ring)
        {
            case PVIO:
                return new SeriesStyle("#d62728", "");
            case PVIO_NO_SUPPRESSION:
                return new SeriesStyle("#ff7f0e", " stroke-dasharray=\"6 4\"");
            case PVIO_POLLING:
                return new SeriesStyle("#8c564b", " stroke-dasharray=\"2 3\"");
            case AGRONA:
                return new SeriesStyle("#1f77b4", "");
            case JCTOOLS:
                return new SeriesStyle("#2ca02c", "");
            case DISRUPTOR:
                return new SeriesStyle("#9467bd", "");
            case ABQ:
                return new SeriesStyle("#7f7f7f", "");
            default:
                throw new IllegalArgumentException("no style for " + ring);
        }
    }
}
