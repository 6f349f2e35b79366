package io.pvio.examples.demo.block;

import java.io.PrintWriter;

/**
 * Where the block demo speaks: plain lines, and events stamped with milliseconds since the demo started. With
 * {@code quiet} only {@link #always} lines are printed. The XenStore watcher's thread and the main thread both
 * print, so every line is whole.
 */
final class DemoConsole
{
    /** Lines are wrapped to this many columns. */
    static final int WIDTH = 112;

    private final PrintWriter out;
    private final boolean quiet;
    private final long startNs;

    DemoConsole(final PrintWriter out, final boolean quiet, final long startNs)
    {
        this.out = out;
        this.quiet = quiet;
        this.startNs = startNs;
    }

    /** A numbered step's title, after a blank line. */
    synchronized void heading(final String title)
    {
        if (!quiet)
        {
            out.println();
            out.println(title);
            out.flush();
        }
    }

    synchronized void say(final String text)
    {
        if (!quiet)
        {
            out.println(text);
            out.flush();
        }
    }

    /** {@code [  12.3 ms] who   text}; each line of {@code text} is wrapped, and indented under the first. */
    synchronized void event(final String who, final String text)
    {
        if (quiet)
        {
            return;
        }
        final String stamp = String.format("  [%7.1f ms] %-6s ", millisSinceStart(), who);
        final String[] lines = text.split("\n", -1);
        out.println(wrap(stamp, lines[0], " ".repeat(stamp.length())));
        for (int i = 1; i < lines.length; i++)
        {
            out.println(wrap(" ".repeat(stamp.length()), lines[i], " ".repeat(stamp.length() + 2)));
        }
        out.flush();
    }

    /** {@code text} wrapped after {@code indent}. */
    synchronized void paragraph(final String indent, final String text)
    {
        if (!quiet)
        {
            out.println(wrap(indent, text, indent));
            out.flush();
        }
    }

    /** {@code     who    text}, wrapped with the continuation lines under the text: one actor's step. */
    synchronized void step(final String who, final String text)
    {
        if (!quiet)
        {
            final String prefix = String.format("    %-6s ", who);
            out.println(wrap(prefix, text, " ".repeat(prefix.length())));
            out.flush();
        }
    }

    /** {@code prefix + text}, broken at spaces into lines of at most {@link #WIDTH}, continued after {@code indent}. */
    static String wrap(final String prefix, final String text, final String indent)
    {
        final StringBuilder wrapped = new StringBuilder(prefix);
        int lineLength = prefix.length();
        boolean lineEmpty = true;
        for (final String word : text.split(" "))
        {
            if (!lineEmpty && lineLength + 1 + word.length() > WIDTH)
            {
                wrapped.append('\n').append(indent);
                lineLength = indent.length();
                lineEmpty = true;
            }
            if (!lineEmpty)
            {
                wrapped.append(' ');
                lineLength++;
            }
            wrapped.append(word);
            lineLength += word.length();
            lineEmpty = false;
        }
        return wrapped.toString();
    }

    /** Printed even when quiet: the summary and the verdict. */
    synchronized void always(final String text)
    {
        out.println(text);
        out.flush();
    }

    double millisSinceStart()
    {
        return (System.nanoTime() - startNs) / 1e6;
    }
}
