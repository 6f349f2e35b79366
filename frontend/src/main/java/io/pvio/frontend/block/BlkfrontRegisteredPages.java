package io.pvio.frontend.block;

import org.agrona.collections.Long2LongHashMap;

import java.util.ArrayList;
import java.util.List;

/**
 * The device agent's table of {@link BlkfrontRegisteredBuffer} pages: gfn to the grant ref the back end reaches it
 * by. A request whose pages are all in it goes out on those refs as they are ({@link #fillRefs}); any other request
 * takes the ring's persistent pages or per-request grants. Buffers come in and go out through the agent's command
 * queue, so the table only ever holds pages of live buffers while the agent issues. Owned by the agent thread;
 * lookups allocate nothing.
 */
final class BlkfrontRegisteredPages
{
    private static final long NOT_REGISTERED = -1;

    private final Long2LongHashMap refByGfn = new Long2LongHashMap(NOT_REGISTERED);
    private final List<BlkfrontRegisteredBuffer> buffers = new ArrayList<>();
    /** Changes whenever the table does: what {@link #fillRefs} answered for a buffer holds while it is the same. */
    private long generation;

    void add(final BlkfrontRegisteredBuffer buffer)
    {
        generation++;
        buffers.add(buffer);
        for (int page = 0; page < buffer.pageCount(); page++)
        {
            refByGfn.put(buffer.gfn(page), buffer.ref(page));
        }
    }

    /** Forgets {@code buffer}; false if it was not here. */
    boolean remove(final BlkfrontRegisteredBuffer buffer)
    {
        if (!buffers.remove(buffer))
        {
            return false;
        }
        generation++;
        for (int page = 0; page < buffer.pageCount(); page++)
        {
            refByGfn.remove(buffer.gfn(page));
        }
        return true;
    }

    /** Every buffer still here, forgotten: for the device's close. */
    List<BlkfrontRegisteredBuffer> removeAll()
    {
        generation++;
        final List<BlkfrontRegisteredBuffer> all = new ArrayList<>(buffers);
        buffers.clear();
        refByGfn.clear();
        return all;
    }

    /** The table's version: equal values mean no buffer came or went in between. */
    long generation()
    {
        return generation;
    }

    int bufferCount()
    {
        return buffers.size();
    }

    /**
     * Puts each page's ref in {@code refsOut} if every page of {@code data} is a registered page.
     *
     * @return true if all are (then {@code refsOut[0 .. pageCount)} are the refs); false if any is not (then
     * {@code refsOut} holds nothing useful).
     */
    boolean fillRefs(final BlockBuffer data, final int[] refsOut)
    {
        if (refByGfn.isEmpty())
        {
            return false;
        }
        for (int page = 0; page < data.pageCount(); page++)
        {
            final long ref = refByGfn.get(data.gfn(page));
            if (ref == NOT_REGISTERED)
            {
                return false;
            }
            refsOut[page] = (int)ref;
        }
        return true;
    }
}
