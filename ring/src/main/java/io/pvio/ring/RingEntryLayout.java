package io.pvio.ring;

/**
 * The sizes of one ring's entry type: {@code union xxx_sring_entry { req_t req; rsp_t rsp; }}.
 * The entry is as long as the larger member, rounded up to the union's alignment, exactly as C lays it out.
 * Each wire descriptor (blkif, netif...) publishes one of these for each ring it defines.
 */
public final class RingEntryLayout
{
    private final String name;
    private final int requestBytes;
    private final int responseBytes;
    private final int entryBytes;

    private RingEntryLayout(final String name, final int requestBytes, final int responseBytes, final int entryBytes)
    {
        this.name = name;
        this.requestBytes = requestBytes;
        this.responseBytes = responseBytes;
        this.entryBytes = entryBytes;
    }

    /**
     * @param name           the ring's tag, e.g. {@code blkif}.
     * @param requestBytes   {@code sizeof(req_t)}.
     * @param responseBytes  {@code sizeof(rsp_t)}.
     * @param alignmentBytes the strictest member alignment of either type (a power of two).
     */
    public static RingEntryLayout of(
        final String name, final int requestBytes, final int responseBytes, final int alignmentBytes)
    {
        if (requestBytes <= 0 || responseBytes <= 0)
        {
            throw new IllegalArgumentException("request and response lengths must be positive");
        }
        if (alignmentBytes <= 0 || Integer.bitCount(alignmentBytes) != 1)
        {
            throw new IllegalArgumentException("alignment must be a power of two: " + alignmentBytes);
        }
        final int larger = Math.max(requestBytes, responseBytes);
        final int entryBytes = (larger + alignmentBytes - 1) & -alignmentBytes;
        return new RingEntryLayout(name, requestBytes, responseBytes, entryBytes);
    }

    public String name()
    {
        return name;
    }

    public int requestBytes()
    {
        return requestBytes;
    }

    public int responseBytes()
    {
        return responseBytes;
    }

    /** {@code sizeof(union xxx_sring_entry)}: the stride of the ring's entry array. */
    public int entryBytes()
    {
        return entryBytes;
    }

    /** Entries in a ring of {@code 2^ringPageOrder} pages. */
    public int ringSize(final int ringPageOrder)
    {
        return SringDescriptor.ringSize(SringDescriptor.ringBytes(ringPageOrder), entryBytes);
    }

    @Override
    public String toString()
    {
        return name + "{request=" + requestBytes + "B, response=" + responseBytes + "B, entry=" + entryBytes + "B}";
    }
}
