package io.pvio.ring.blkif;

import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_DISCARD_SECURE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_DISCARD;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_FLUSH_DISKCACHE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_INDIRECT;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_READ;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_WRITE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_WRITE_BARRIER;
import static io.pvio.ring.blkif.BlkifConstants.MAX_INDIRECT_SEGMENTS;

/**
 * A back end's private copy of one blkif request, in any form and either ABI. The front end can rewrite a shared
 * slot at any moment, so the back end copies it once with {@link #copyFrom} and from then on reads, validates and
 * acts on this copy only (XSA-155: no double fetch).
 * <p>
 * {@link #copyFrom} reads operation first, then every field of the form it selects, each exactly once:
 * <ul>
 *   <li>READ, WRITE, WRITE_BARRIER, FLUSH_DISKCACHE: the read/write form, segments bounded by
 *       {@code BLKIF_MAX_SEGMENTS_PER_REQUEST} whatever nr_segments (a u8, up to 255) says;</li>
 *   <li>INDIRECT: the indirect form, all 8 indirect_grefs; the segments follow from the indirect pages through
 *       {@link #copyIndirectSegmentsFrom}, also once;</li>
 *   <li>DISCARD: the discard form;</li>
 *   <li>anything else: only id, so that the error response can echo it.</li>
 * </ul>
 * Fields not in the copied form read as zero. Preallocated; nothing allocates after construction. One owner
 * thread.
 * <pre>{@code
 * copy.copyFrom(buffer, back.takeRequest(), abi);
 * BlkifRequestError error = copy.validate();
 * if (error == BlkifRequestError.NONE && copy.operation() == BLKIF_OP_INDIRECT) {
 *     for (int page = 0; page < copy.indirectPageCount(); page++) {
 *         ...map copy.indirectGref(page)...
 *         copy.copyIndirectSegmentsFrom(mapped, mappedOffset);
 *     }
 *     error = copy.validate();                                  // now checks the indirect segments too
 * }
 * }</pre>
 */
public final class BlkifRequest
{
    private final int maxIndirectSegments;
    private final int[] segmentGrefs;
    private final byte[] segmentFirstSectors;
    private final byte[] segmentLastSectors;
    private final int[] indirectGrefs = new int[BlkifConstants.BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];

    private BlkifAbi abi;
    private int operation;
    private int nrSegments;
    private int handle;
    private long id;
    private long sectorNumber;
    private int indirectOperation;
    private int discardFlag;
    private long nrSectors;
    /** Segments held in the arrays: inline ones, or indirect ones copied so far. */
    private int segmentCount;
    private int indirectPagesCopied;

    /** A copy that holds indirect requests of up to {@code MAX_INDIRECT_SEGMENTS} (4096) segments. */
    public BlkifRequest()
    {
        this(MAX_INDIRECT_SEGMENTS);
    }

    /**
     * @param maxIndirectSegments the back end's {@code feature-max-indirect-segments} (0 if it advertises none):
     *                            indirect requests with more segments fail validation.
     */
    public BlkifRequest(final int maxIndirectSegments)
    {
        if (maxIndirectSegments < 0 || maxIndirectSegments > MAX_INDIRECT_SEGMENTS)
        {
            throw new IllegalArgumentException(
                "max indirect segments must be in 0.." + MAX_INDIRECT_SEGMENTS + ": " + maxIndirectSegments);
        }
        this.maxIndirectSegments = maxIndirectSegments;
        final int capacity = Math.max(BLKIF_MAX_SEGMENTS_PER_REQUEST, maxIndirectSegments);
        this.segmentGrefs = new int[capacity];
        this.segmentFirstSectors = new byte[capacity];
        this.segmentLastSectors = new byte[capacity];
    }

    /**
     * Copies the request in the slot at absolute {@code offset}, replacing any previous content.
     * Plain loads: the back ring's acquire load of req_prod made the slot's content visible.
     *
     * @param abi the ABI the front end negotiated ({@code protocol}).
     * @return this.
     */
    public BlkifRequest copyFrom(final AtomicBuffer buffer, final int offset, final BlkifAbi abi)
    {
        buffer.boundsCheck(offset, abi.requestBytes());
        reset(abi);
        // Every form starts with the operation byte at offset 0 in both ABIs.
        operation = buffer.getByte(offset + BlkifRequestDescriptor.OPERATION_OFFSET) & 0xFF;
        switch (operation)
        {
            case BLKIF_OP_READ:
            case BLKIF_OP_WRITE:
            case BLKIF_OP_WRITE_BARRIER:
            case BLKIF_OP_FLUSH_DISKCACHE:
                copyReadWrite(buffer, offset, abi);
                break;
            case BLKIF_OP_INDIRECT:
                copyIndirect(buffer, offset, abi);
                break;
            case BLKIF_OP_DISCARD:
                copyDiscard(buffer, offset, abi);
                break;
            default:
                // Unknown form: id sits at the same place in every form of an ABI; it is echoed in the error.
                id = buffer.getLong(offset + (abi == BlkifAbi.X86_64 ?
                    BlkifRequestDescriptor.ID_OFFSET : BlkifX86_32RequestDescriptor.ID_OFFSET));
                break;
        }
        return this;
    }

    /**
     * Copies the segments of the next indirect page (page {@link #indirectPagesCopied()}) from a mapping of
     * {@code indirectGref(page)}: up to 512 segments, bounded by nr_segments and by this copy's capacity, each read
     * once. Call only after {@link #validate()} returned NONE for an indirect request.
     *
     * @param pageOffset absolute offset of the mapped 4 KiB page in {@code page}.
     * @return the number of segments copied from this page.
     * @throws IllegalStateException if this is not an indirect request or every page was already copied.
     */
    public int copyIndirectSegmentsFrom(final AtomicBuffer page, final int pageOffset)
    {
        if (operation != BLKIF_OP_INDIRECT || indirectPagesCopied >= indirectPageCount())
        {
            throw new IllegalStateException("no indirect page left to copy: " + this);
        }
        page.boundsCheck(pageOffset, BlkifSegmentDescriptor.SEGMENTS_PER_PAGE * BlkifSegmentDescriptor.LENGTH);
        final int end = Math.min(Math.min(nrSegments, maxIndirectSegments),
            segmentCount + BlkifSegmentDescriptor.SEGMENTS_PER_PAGE);
        final int first = segmentCount;
        copySegments(page, pageOffset, first, end);
        indirectPagesCopied++;
        return end - first;
    }

    /**
     * Structural checks by blkif.h on this copy (never on the shared slot). For an indirect request it checks the
     * segments copied so far; call it again after {@link #copyIndirectSegmentsFrom}.
     *
     * @return {@link BlkifRequestError#NONE} or the first problem found.
     */
    public BlkifRequestError validate()
    {
        switch (operation)
        {
            case BLKIF_OP_READ:
            case BLKIF_OP_WRITE:
                // blkif.h: 1 <= nr_segments <= BLKIF_MAX_SEGMENTS_PER_REQUEST for data transfers.
                if (nrSegments == 0 || nrSegments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
                {
                    return BlkifRequestError.BAD_SEGMENT_COUNT;
                }
                return validateSegments();
            case BLKIF_OP_WRITE_BARRIER:
            case BLKIF_OP_FLUSH_DISKCACHE:
                // blkif.h: barrier and flush may carry data, at most BLKIF_MAX_SEGMENTS_PER_REQUEST segments.
                if (nrSegments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
                {
                    return BlkifRequestError.BAD_SEGMENT_COUNT;
                }
                return validateSegments();
            case BLKIF_OP_INDIRECT:
                // blkif.h: indirect_op is BLKIF_OP_{READ/WRITE}.
                if (indirectOperation != BLKIF_OP_READ && indirectOperation != BLKIF_OP_WRITE)
                {
                    return BlkifRequestError.BAD_INDIRECT_OPERATION;
                }
                // blkif.h: nr_segments <= feature-max-indirect-segments (<= 8 pages x 512 segments).
                if (nrSegments == 0 || nrSegments > maxIndirectSegments)
                {
                    return BlkifRequestError.BAD_INDIRECT_SEGMENT_COUNT;
                }
                return validateSegments();
            case BLKIF_OP_DISCARD:
                // blkif.h: flag is BLKIF_DISCARD_SECURE or zero.
                if ((discardFlag & ~BLKIF_DISCARD_SECURE) != 0)
                {
                    return BlkifRequestError.BAD_DISCARD_FLAG;
                }
                return BlkifRequestError.NONE;
            default:
                return BlkifRequestError.BAD_OPERATION;
        }
    }

    public BlkifAbi abi()
    {
        return abi;
    }

    /** operation as received (u8), {@code BLKIF_OP_INDIRECT} included: echo it in the response. */
    public int operation()
    {
        return operation;
    }

    /** The data direction: indirect_op for an indirect request, otherwise operation. */
    public int dataOperation()
    {
        return operation == BLKIF_OP_INDIRECT ? indirectOperation : operation;
    }

    /** nr_segments as received: u8 in the read/write form (may exceed 11), u16 in the indirect form. */
    public int nrSegments()
    {
        return nrSegments;
    }

    /** handle (u16). */
    public int handle()
    {
        return handle;
    }

    public long id()
    {
        return id;
    }

    /** sector_number: first 512-byte sector (u64). */
    public long sectorNumber()
    {
        return sectorNumber;
    }

    /** Segments held in this copy: the inline ones (at most 11), or the indirect ones copied so far. */
    public int segmentCount()
    {
        return segmentCount;
    }

    /** gref of segment {@code i} (u32 as int), {@code i < segmentCount()}. */
    public int segmentGref(final int i)
    {
        checkSegment(i);
        return segmentGrefs[i];
    }

    public int segmentFirstSector(final int i)
    {
        checkSegment(i);
        return segmentFirstSectors[i] & 0xFF;
    }

    public int segmentLastSector(final int i)
    {
        checkSegment(i);
        return segmentLastSectors[i] & 0xFF;
    }

    /** indirect_op of an indirect request, else 0. */
    public int indirectOperation()
    {
        return indirectOperation;
    }

    /** indirect_grefs[i] (u32 as int) of an indirect request, else 0. */
    public int indirectGref(final int i)
    {
        BlkifIndirectRequestDescriptor.checkIndirectGrefIndex(i);
        return operation == BLKIF_OP_INDIRECT ? indirectGrefs[i] : 0;
    }

    /** Indirect pages the request uses, ceil(nr_segments / 512), at most 8; 0 for other forms. */
    public int indirectPageCount()
    {
        if (operation != BLKIF_OP_INDIRECT)
        {
            return 0;
        }
        return Math.min(BlkifIndirectRequestDescriptor.indirectPageCount(nrSegments),
            BlkifConstants.BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST);
    }

    /** Indirect pages copied so far. */
    public int indirectPagesCopied()
    {
        return indirectPagesCopied;
    }

    /** flag of a discard request, else 0. */
    public int discardFlag()
    {
        return discardFlag;
    }

    /** nr_sectors of a discard request (u64), else 0. */
    public long nrSectors()
    {
        return nrSectors;
    }

    /** Diagnostic text; allocates. */
    @Override
    public String toString()
    {
        return "BlkifRequest{" + abi + ", " + BlkifConstants.operationName(operation) +
            (operation == BLKIF_OP_INDIRECT ? "(" + BlkifConstants.operationName(indirectOperation) + ")" : "") +
            ", id=0x" + Long.toHexString(id) + ", handle=" + handle +
            ", sector=" + Long.toUnsignedString(sectorNumber) + ", nr_segments=" + nrSegments +
            ", segments held=" + segmentCount +
            (operation == BLKIF_OP_DISCARD ? ", flag=" + discardFlag + ", nr_sectors=" +
                Long.toUnsignedString(nrSectors) : "") + "}";
    }

    private void reset(final BlkifAbi abi)
    {
        this.abi = abi;
        operation = 0;
        nrSegments = 0;
        handle = 0;
        id = 0;
        sectorNumber = 0;
        indirectOperation = 0;
        discardFlag = 0;
        nrSectors = 0;
        segmentCount = 0;
        indirectPagesCopied = 0;
        // indirectGrefs is left as it is: an indirect request overwrites all of it, and it reads as 0 for any other
        // (one cache line fewer per inline request)
    }

    private void copyReadWrite(final AtomicBuffer buffer, final int offset, final BlkifAbi abi)
    {
        final int segmentsOffset;
        if (abi == BlkifAbi.X86_64)
        {
            nrSegments = buffer.getByte(offset + BlkifRequestDescriptor.NR_SEGMENTS_OFFSET) & 0xFF;
            handle = buffer.getShort(offset + BlkifRequestDescriptor.HANDLE_OFFSET) & 0xFFFF;
            id = buffer.getLong(offset + BlkifRequestDescriptor.ID_OFFSET);
            sectorNumber = buffer.getLong(offset + BlkifRequestDescriptor.SECTOR_NUMBER_OFFSET);
            segmentsOffset = offset + BlkifRequestDescriptor.SEGMENTS_OFFSET;
        }
        else
        {
            nrSegments = buffer.getByte(offset + BlkifX86_32RequestDescriptor.NR_SEGMENTS_OFFSET) & 0xFF;
            handle = buffer.getShort(offset + BlkifX86_32RequestDescriptor.HANDLE_OFFSET) & 0xFFFF;
            id = buffer.getLong(offset + BlkifX86_32RequestDescriptor.ID_OFFSET);
            sectorNumber = buffer.getLong(offset + BlkifX86_32RequestDescriptor.SECTOR_NUMBER_OFFSET);
            segmentsOffset = offset + BlkifX86_32RequestDescriptor.SEGMENTS_OFFSET;
        }
        // nr_segments is guest-controlled (a u8, up to 255): bound by the slot's 11 segments before reading any.
        copySegments(buffer, segmentsOffset, 0, Math.min(nrSegments, BLKIF_MAX_SEGMENTS_PER_REQUEST));
    }

    private void copyIndirect(final AtomicBuffer buffer, final int offset, final BlkifAbi abi)
    {
        if (abi == BlkifAbi.X86_64)
        {
            indirectOperation = buffer.getByte(offset + BlkifIndirectRequestDescriptor.INDIRECT_OP_OFFSET) & 0xFF;
            nrSegments = buffer.getShort(offset + BlkifIndirectRequestDescriptor.NR_SEGMENTS_OFFSET) & 0xFFFF;
            id = buffer.getLong(offset + BlkifIndirectRequestDescriptor.ID_OFFSET);
            sectorNumber = buffer.getLong(offset + BlkifIndirectRequestDescriptor.SECTOR_NUMBER_OFFSET);
            handle = buffer.getShort(offset + BlkifIndirectRequestDescriptor.HANDLE_OFFSET) & 0xFFFF;
            for (int i = 0; i < indirectGrefs.length; i++)
            {
                indirectGrefs[i] = buffer.getInt(offset + BlkifIndirectRequestDescriptor.indirectGrefOffset(i));
            }
        }
        else
        {
            indirectOperation =
                buffer.getByte(offset + BlkifX86_32IndirectRequestDescriptor.INDIRECT_OP_OFFSET) & 0xFF;
            nrSegments = buffer.getShort(offset + BlkifX86_32IndirectRequestDescriptor.NR_SEGMENTS_OFFSET) & 0xFFFF;
            id = buffer.getLong(offset + BlkifX86_32IndirectRequestDescriptor.ID_OFFSET);
            sectorNumber = buffer.getLong(offset + BlkifX86_32IndirectRequestDescriptor.SECTOR_NUMBER_OFFSET);
            handle = buffer.getShort(offset + BlkifX86_32IndirectRequestDescriptor.HANDLE_OFFSET) & 0xFFFF;
            for (int i = 0; i < indirectGrefs.length; i++)
            {
                indirectGrefs[i] = buffer.getInt(offset + BlkifX86_32IndirectRequestDescriptor.indirectGrefOffset(i));
            }
        }
    }

    private void copyDiscard(final AtomicBuffer buffer, final int offset, final BlkifAbi abi)
    {
        if (abi == BlkifAbi.X86_64)
        {
            discardFlag = buffer.getByte(offset + BlkifDiscardRequestDescriptor.FLAG_OFFSET) & 0xFF;
            handle = buffer.getShort(offset + BlkifDiscardRequestDescriptor.HANDLE_OFFSET) & 0xFFFF;
            id = buffer.getLong(offset + BlkifDiscardRequestDescriptor.ID_OFFSET);
            sectorNumber = buffer.getLong(offset + BlkifDiscardRequestDescriptor.SECTOR_NUMBER_OFFSET);
            nrSectors = buffer.getLong(offset + BlkifDiscardRequestDescriptor.NR_SECTORS_OFFSET);
        }
        else
        {
            discardFlag = buffer.getByte(offset + BlkifX86_32DiscardRequestDescriptor.FLAG_OFFSET) & 0xFF;
            handle = buffer.getShort(offset + BlkifX86_32DiscardRequestDescriptor.HANDLE_OFFSET) & 0xFFFF;
            id = buffer.getLong(offset + BlkifX86_32DiscardRequestDescriptor.ID_OFFSET);
            sectorNumber = buffer.getLong(offset + BlkifX86_32DiscardRequestDescriptor.SECTOR_NUMBER_OFFSET);
            nrSectors = buffer.getLong(offset + BlkifX86_32DiscardRequestDescriptor.NR_SECTORS_OFFSET);
        }
    }

    /** Copies array segments [0, end - first) at {@code arrayOffset} into slots [first, end) of this copy. */
    private void copySegments(final AtomicBuffer buffer, final int arrayOffset, final int first, final int end)
    {
        for (int slot = first; slot < end; slot++)
        {
            // one 8-byte load per segment: each segment is fetched from the shared slot exactly once
            final long word = BlkifSegments.word(buffer, arrayOffset + BlkifSegmentDescriptor.segmentOffset(slot - first));
            segmentGrefs[slot] = BlkifSegmentDescriptor.grefOfWord(word);
            segmentFirstSectors[slot] = (byte)BlkifSegmentDescriptor.firstSectorOfWord(word);
            segmentLastSectors[slot] = (byte)BlkifSegmentDescriptor.lastSectorOfWord(word);
        }
        segmentCount = end;
    }

    private BlkifRequestError validateSegments()
    {
        for (int i = 0; i < segmentCount; i++)
        {
            // blkif.h: first_sect <= last_sect, both inclusive sectors of one page.
            if (!BlkifSegmentDescriptor.isValidSectorRange(
                segmentFirstSectors[i] & 0xFF, segmentLastSectors[i] & 0xFF))
            {
                return BlkifRequestError.BAD_SEGMENT_SECTORS;
            }
        }
        return BlkifRequestError.NONE;
    }

    private void checkSegment(final int i)
    {
        if (i < 0 || i >= segmentCount)
        {
            throw new IndexOutOfBoundsException("segment " + i + " of " + segmentCount + " held");
        }
    }
}
