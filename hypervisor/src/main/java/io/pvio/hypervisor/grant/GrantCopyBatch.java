package io.pvio.hypervisor.grant;

import io.pvio.hypervisor.domain.DomainId;

/**
 * A reusable batch of {@code GNTTABOP_copy} operations ({@code struct gnttab_copy}): each element copies
 * {@code length} bytes from a source to a destination, where each side is either a grant reference of another domain
 * ({@link #GNTCOPY_SOURCE_GREF} / {@link #GNTCOPY_DEST_GREF}) or a gfn of the caller's own memory, and gets its own
 * status ({@link GrantStatus}). Fill it, submit it with one hypercall, read the statuses, {@link #clear()} it and
 * reuse it: nothing is allocated after construction.
 * <p>
 * Owned by one thread at a time. The hypervisor reads each field of an element once and validates its copies.
 */
public final class GrantCopyBatch
{
    /** {@code GNTCOPY_source_gref}: the source is a grant reference. */
    public static final int GNTCOPY_SOURCE_GREF = 1;
    /** {@code GNTCOPY_dest_gref}: the destination is a grant reference. */
    public static final int GNTCOPY_DEST_GREF = 1 << 1;
    /** A status not yet written by the hypervisor. */
    public static final int STATUS_PENDING = Integer.MIN_VALUE;

    private final long[] sourceRefOrGfn;
    private final int[] sourceDomid;
    private final int[] sourceOffset;
    private final long[] destRefOrGfn;
    private final int[] destDomid;
    private final int[] destOffset;
    private final int[] lengthBytes;
    private final int[] flags;
    private final int[] status;
    private int size;

    public GrantCopyBatch(final int capacity)
    {
        if (capacity <= 0)
        {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        sourceRefOrGfn = new long[capacity];
        sourceDomid = new int[capacity];
        sourceOffset = new int[capacity];
        destRefOrGfn = new long[capacity];
        destDomid = new int[capacity];
        destOffset = new int[capacity];
        lengthBytes = new int[capacity];
        flags = new int[capacity];
        status = new int[capacity];
    }

    public int capacity()
    {
        return status.length;
    }

    public int size()
    {
        return size;
    }

    public boolean isFull()
    {
        return size == status.length;
    }

    /** Empties the batch for reuse. */
    public GrantCopyBatch clear()
    {
        size = 0;
        return this;
    }

    /**
     * Adds one {@code struct gnttab_copy}.
     *
     * @param copyFlags      {@link #GNTCOPY_SOURCE_GREF} and/or {@link #GNTCOPY_DEST_GREF}.
     * @param source         source grant ref (if SOURCE_GREF) or the caller's gfn.
     * @param sourceDomainId the granting domain for a grant ref, {@link DomainId#SELF} for a gfn.
     * @param sourceOffsetBytes offset in the source frame.
     * @param dest           destination grant ref (if DEST_GREF) or the caller's gfn.
     * @param destDomainId   the granting domain for a grant ref, {@link DomainId#SELF} for a gfn.
     * @param destOffsetBytes offset in the destination frame.
     * @param length         bytes to copy; source and destination ranges must each lie within one frame.
     * @return the element's index, for {@link #status(int)}.
     * @throws IllegalStateException if the batch is full.
     */
    public int add(
        final int copyFlags,
        final long source,
        final int sourceDomainId,
        final int sourceOffsetBytes,
        final long dest,
        final int destDomainId,
        final int destOffsetBytes,
        final int length)
    {
        if (isFull())
        {
            throw new IllegalStateException("grant copy batch full at " + size);
        }
        final int i = size++;
        flags[i] = copyFlags;
        sourceRefOrGfn[i] = source;
        sourceDomid[i] = sourceDomainId;
        sourceOffset[i] = sourceOffsetBytes;
        destRefOrGfn[i] = dest;
        destDomid[i] = destDomainId;
        destOffset[i] = destOffsetBytes;
        lengthBytes[i] = length;
        status[i] = STATUS_PENDING;
        return i;
    }

    /** Copy from grant {@code sourceRef} of {@code granterDomid} into the caller's own {@code destGfn}. */
    public int addFromGrant(
        final int granterDomid,
        final int sourceRef,
        final int sourceOffsetBytes,
        final long destGfn,
        final int destOffsetBytes,
        final int length)
    {
        return add(GNTCOPY_SOURCE_GREF, Integer.toUnsignedLong(sourceRef), granterDomid, sourceOffsetBytes,
            destGfn, DomainId.SELF, destOffsetBytes, length);
    }

    /** Copy from the caller's own {@code sourceGfn} into grant {@code destRef} of {@code granterDomid}. */
    public int addToGrant(
        final long sourceGfn,
        final int sourceOffsetBytes,
        final int granterDomid,
        final int destRef,
        final int destOffsetBytes,
        final int length)
    {
        return add(GNTCOPY_DEST_GREF, sourceGfn, DomainId.SELF, sourceOffsetBytes,
            Integer.toUnsignedLong(destRef), granterDomid, destOffsetBytes, length);
    }

    /** The element's {@link GrantStatus}, or {@link #STATUS_PENDING} before the copy ran. */
    public int status(final int index)
    {
        checkIndex(index);
        return status[index];
    }

    /** Whether every element succeeded. */
    public boolean allOkay()
    {
        for (int i = 0; i < size; i++)
        {
            if (status[i] != GrantStatus.OKAY)
            {
                return false;
            }
        }
        return true;
    }

    // ---- hypervisor side: one read per field ----

    int flags(final int i)
    {
        return flags[i];
    }

    long source(final int i)
    {
        return sourceRefOrGfn[i];
    }

    int sourceDomid(final int i)
    {
        return sourceDomid[i];
    }

    int sourceOffset(final int i)
    {
        return sourceOffset[i];
    }

    long dest(final int i)
    {
        return destRefOrGfn[i];
    }

    int destDomid(final int i)
    {
        return destDomid[i];
    }

    int destOffset(final int i)
    {
        return destOffset[i];
    }

    int length(final int i)
    {
        return lengthBytes[i];
    }

    void status(final int i, final int value)
    {
        status[i] = value;
    }

    private void checkIndex(final int index)
    {
        if (index < 0 || index >= size)
        {
            throw new IndexOutOfBoundsException("element " + index + " of " + size);
        }
    }
}
