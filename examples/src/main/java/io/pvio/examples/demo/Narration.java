package io.pvio.examples.demo;

import java.io.PrintStream;

/**
 * The demo's running commentary: one line per event, stamped with microseconds since the start and the speaking
 * side. Lines come from both ring ends' threads, so printing is serialised. Only narrated events allocate; the
 * data path asks {@link #wants(int)} first.
 */
final class Narration
{
    private final PrintStream out;
    private final int limitPerSide;
    private final long startNs = System.nanoTime();

    Narration(final PrintStream out, final int limitPerSide)
    {
        this.out = out;
        this.limitPerSide = limitPerSide;
    }

    /** True while a side that has narrated {@code linesSoFar} lines may narrate another. */
    boolean wants(final int linesSoFar)
    {
        return linesSoFar < limitPerSide;
    }

    int limitPerSide()
    {
        return limitPerSide;
    }

    synchronized void line(final String side, final String text)
    {
        out.printf("[%9.1f us] %-5s %s%n", (System.nanoTime() - startNs) / 1_000.0, side, text);
    }

    synchronized void plain(final String text)
    {
        out.println(text);
    }
}
