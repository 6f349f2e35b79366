package io.pvio.backend.block;

import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.memory.GuestMemory;
import org.agrona.concurrent.AtomicBuffer;

import java.util.Arrays;

/**
 * Frames of the back end's own memory that grant copies land in and leave from, one per segment of a request.
 * Claimed with {@link #claim} (the back end's reservation grows), given back with {@link #release}:
 * <pre>{@code
 * BlkbackBouncePages pages = BlkbackBouncePages.claim(hypercalls, memory, 11);
 * try { ... } finally { pages.release(); }
 * }</pre>
 */
public final class BlkbackBouncePages
{
    public static final int PAGE_BYTES = 4096;

    private final Hypercalls hypercalls;
    private final long[] gfns;
    private final AtomicBuffer[] frames;
    private int held;

    private BlkbackBouncePages(final Hypercalls hypercalls, final int count)
    {
        this.hypercalls = hypercalls;
        this.gfns = new long[count];
        this.frames = new AtomicBuffer[count];
    }

    /**
     * @throws IllegalStateException if the back end's domain cannot grow by {@code count} frames (nothing is kept).
     */
    public static BlkbackBouncePages claim(final Hypercalls hypercalls, final GuestMemory memory, final int count)
    {
        final BlkbackBouncePages pages = new BlkbackBouncePages(hypercalls, count);
        final int added = hypercalls.memory().increaseReservation(DomainId.SELF, count, pages.gfns);
        pages.held = added;
        if (added != count)
        {
            pages.release();
            throw new IllegalStateException("only " + added + " of " + count + " bounce frames");
        }
        for (int i = 0; i < count; i++)
        {
            pages.frames[i] = memory.frame(pages.gfns[i]);
        }
        return pages;
    }

    public int pageCount()
    {
        return gfns.length;
    }

    public long gfn(final int index)
    {
        return gfns[index];
    }

    public AtomicBuffer frame(final int index)
    {
        return frames[index];
    }

    /** Returns the frames to the hypervisor; idempotent. */
    public void release()
    {
        if (held > 0)
        {
            hypercalls.memory().decreaseReservation(DomainId.SELF, gfns, held);
            held = 0;
            Arrays.fill(frames, null);
        }
    }
}
