package io.pvio.backend.block;

import java.util.Arrays;

/**
 * Grant reference to a non-negative value (a kept mapping's slot entry), for the data path's one lookup per segment:
 * two array loads instead of a hash probe. The references are a front end's (u32, hostile), so the table is paged:
 * 512 references to a page (one grant frame's worth of {@code grant_entry_v1}), a page made only when a reference in
 * it is put (on the control path, as its grant is mapped), and a directory grown to the highest page used. A mapped
 * reference lies within the front end's grant table (Xen's {@code max_grant_frames}, 64 by default: 64 pages here),
 * so a hostile front end can make it no larger than its table; references never put (any u32) just miss.
 * Owned by one thread.
 */
final class GrantRefIndex
{
    /** What {@link #get} answers for a reference not put. */
    static final int MISSING = -1;

    private static final int PAGE_SHIFT = 9;
    private static final int PAGE_ENTRIES = 1 << PAGE_SHIFT;
    private static final int PAGE_MASK = PAGE_ENTRIES - 1;

    private int[][] pages = new int[1][];

    /** The value put for {@code ref}, or {@link #MISSING}. */
    int get(final int ref)
    {
        // unsigned: a reference of 2^31 or more falls beyond any directory
        final int page = ref >>> PAGE_SHIFT;
        if (page >= pages.length)
        {
            return MISSING;
        }
        final int[] entries = pages[page];
        return entries == null ? MISSING : entries[ref & PAGE_MASK];
    }

    /**
     * Sets {@code ref}'s value (control path: may allocate a page, and grow the directory to reach it).
     *
     * @param value non-negative.
     */
    void put(final int ref, final int value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("value must be non-negative: " + value);
        }
        final int page = ref >>> PAGE_SHIFT;
        if (page >= pages.length)
        {
            pages = Arrays.copyOf(pages, Math.max(page + 1, pages.length * 2));
        }
        int[] entries = pages[page];
        if (entries == null)
        {
            entries = new int[PAGE_ENTRIES];
            Arrays.fill(entries, MISSING);
            pages[page] = entries;
        }
        entries[ref & PAGE_MASK] = value;
    }

    /** Forgets {@code ref}; its page stays, for the next reference kept there. */
    void remove(final int ref)
    {
        final int page = ref >>> PAGE_SHIFT;
        if (page < pages.length && pages[page] != null)
        {
            pages[page][ref & PAGE_MASK] = MISSING;
        }
    }

    /** Forgets every reference (the pages stay). */
    void clear()
    {
        for (final int[] entries : pages)
        {
            if (entries != null)
            {
                Arrays.fill(entries, MISSING);
            }
        }
    }
}
