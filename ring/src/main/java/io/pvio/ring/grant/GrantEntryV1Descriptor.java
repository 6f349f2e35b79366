package io.pvio.ring.grant;

import io.pvio.ring.SringDescriptor;

/**
 * Layout of one version-1 grant table entry ({@code struct grant_entry_v1} in {@code xen/grant_table.h}) and of the
 * table made of them: a packed array of 8-byte entries spanning one or more 4 KiB frames shared between the granting
 * guest and the hypervisor, indexed by grant reference ({@code grant_ref_t}, u32).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         flags (u16, GTF_*)    |     domid (u16, domid_t)      |  0  one LE u32 "flags+domid word"
 *  +---------------------------------------------------------------+
 *  |                   frame (u32, guest frame number)             |  4  written by the guest
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>flags: type in bits 0-1 ({@code GTF_type_mask}) and sub-flags; written by the guest (type, readonly...) and
 *       by the hypervisor ({@code GTF_reading}, {@code GTF_writing}, transfer bits) - so only by atomic operations
 *       once the entry is live.</li>
 *   <li>domid: the domain granted access; written by the guest only, before flags make the entry valid.</li>
 *   <li>frame: the granted frame; written by the guest before flags (or by the hypervisor for completed
 *       transfers).</li>
 *   <li>flags and domid together form one little-endian u32 at offset 0: flags in the low half, domid in the high
 *       half. The hypervisor claims an entry with one 32-bit compare-and-swap over that word, so a guest that
 *       revokes the entry or changes domid concurrently makes the swap fail.</li>
 *   <li>Entry for ref r lies at r * 8 from the table start: 512 per 4 KiB frame.</li>
 *   <li>Refs 0 .. {@link #GNTTAB_NR_RESERVED_ENTRIES} - 1 are reserved (preserved across grant table version
 *       changes, pre-populated by the toolstack: 0 the console ring, 1 the XenStore ring); guests allocate their own
 *       grants from {@link #FIRST_UNRESERVED_REF}.</li>
 * </ul>
 */
public final class GrantEntryV1Descriptor
{
    /** {@code sizeof(struct grant_entry_v1)}. */
    public static final int ENTRY_LENGTH = 8;
    public static final int FLAGS_OFFSET = 0;
    public static final int DOMID_OFFSET = 2;
    public static final int FRAME_OFFSET = 4;
    /** Offset of the u32 made of flags (low 16 bits) and domid (high 16 bits). */
    public static final int FLAGS_DOMID_WORD_OFFSET = 0;
    /** Grant entries in one 4 KiB grant-table frame. */
    public static final int ENTRIES_PER_FRAME = SringDescriptor.PAGE_SIZE_BYTES / ENTRY_LENGTH;

    // ---- entry type (grant_table.h: GTF_type_mask) ----
    /** This grant entry grants no privileges. */
    public static final int GTF_INVALID = 0;
    /** Allow domid to map/access frame. */
    public static final int GTF_PERMIT_ACCESS = 1;
    /** Allow domid to transfer ownership of one page frame to this guest. */
    public static final int GTF_ACCEPT_TRANSFER = 2;
    /** Allow domid to transitively access a subrange of another grant. */
    public static final int GTF_TRANSITIVE = 3;
    public static final int GTF_TYPE_MASK = 3;

    // ---- sub-flags of GTF_permit_access and GTF_transitive ----
    /** Restrict domid to read-only mappings and accesses. [guest] */
    public static final int GTF_READONLY = 1 << 2;
    /** The entry is currently mapped for reading by domid. [hypervisor] */
    public static final int GTF_READING = 1 << 3;
    /** The entry is currently mapped for writing by domid. [hypervisor] */
    public static final int GTF_WRITING = 1 << 4;
    /** (x86) cache attribute for mappings of the grant. [guest] */
    public static final int GTF_PWT = 1 << 5;
    /** (x86) cache attribute for mappings of the grant. [guest] */
    public static final int GTF_PCD = 1 << 6;
    /** (x86) cache attribute for mappings of the grant. [guest] */
    public static final int GTF_PAT = 1 << 7;
    /** Grant access to a subrange of the page only (copy, no map). [guest] */
    public static final int GTF_SUB_PAGE = 1 << 8;

    // ---- sub-flags of GTF_accept_transfer (same bits, other meaning) ----
    /** The hypervisor is committed to transferring a frame; the guest must not modify the entry. */
    public static final int GTF_TRANSFER_COMMITTED = 1 << 2;
    /** The transfer is done; frame holds the transferred frame. */
    public static final int GTF_TRANSFER_COMPLETED = 1 << 3;

    /** The bits the hypervisor sets while an entry is mapped. */
    public static final int GTF_IN_USE_MASK = GTF_READING | GTF_WRITING;

    /** {@code GNTTAB_NR_RESERVED_ENTRIES}: refs below this are reserved for the toolstack. */
    public static final int GNTTAB_NR_RESERVED_ENTRIES = 8;
    /** {@code GNTTAB_RESERVED_CONSOLE}: the console ring's grant. */
    public static final int GNTTAB_RESERVED_CONSOLE = 0;
    /** {@code GNTTAB_RESERVED_XENSTORE}: the XenStore ring's grant. */
    public static final int GNTTAB_RESERVED_XENSTORE = 1;
    /** The first ref a guest allocates for its own grants. */
    public static final int FIRST_UNRESERVED_REF = GNTTAB_NR_RESERVED_ENTRIES;

    /** {@code domid_t} is u16. */
    public static final int MAX_DOMID = 0xFFFF;
    /** xen.h: {@code frame} is u32 in a v1 entry. */
    public static final long MAX_FRAME = 0xFFFF_FFFFL;
    /** Flags occupy 16 bits. */
    public static final int FLAGS_MASK = 0xFFFF;

    private GrantEntryV1Descriptor()
    {
    }

    /** Offset of the entry for {@code grantRef}, relative to the start of the table; call {@link #checkGrantRef}. */
    public static int entryOffset(final int grantRef)
    {
        return grantRef * ENTRY_LENGTH;
    }

    /** Number of entries in a table of {@code tableLengthBytes}. */
    public static int entryCount(final int tableLengthBytes)
    {
        return tableLengthBytes / ENTRY_LENGTH;
    }

    /** Whether the unsigned {@code grantRef} names an entry of a table holding {@code entryCount} entries. */
    public static boolean isValidGrantRef(final int grantRef, final int entryCount)
    {
        return Integer.compareUnsigned(grantRef, entryCount) < 0;
    }

    /** The flags+domid word as it reads from memory: flags in the low half, domid in the high half. */
    public static int flagsDomidWord(final int flags, final int domid)
    {
        return (flags & FLAGS_MASK) | (domid << 16);
    }

    /** The flags half of a flags+domid word. */
    public static int flagsOf(final int flagsDomidWord)
    {
        return flagsDomidWord & FLAGS_MASK;
    }

    /** The domid half of a flags+domid word. */
    public static int domidOf(final int flagsDomidWord)
    {
        return flagsDomidWord >>> 16;
    }

    /** The entry type ({@code GTF_type_mask} bits) of {@code flags}. */
    public static int typeOf(final int flags)
    {
        return flags & GTF_TYPE_MASK;
    }

    /** @throws IllegalArgumentException unless {@code grantRef} (unsigned) is below {@code entryCount}. */
    public static void checkGrantRef(final int grantRef, final int entryCount)
    {
        if (!isValidGrantRef(grantRef, entryCount))
        {
            throw new IllegalArgumentException("grant ref " + Integer.toUnsignedString(grantRef) +
                " outside a table of " + entryCount + " entries");
        }
    }

    /** A table covers whole frames and starts 8-byte aligned (so the 32-bit word CAS is aligned). */
    public static void checkTableRegion(final int tableOffset, final int tableLengthBytes, final int capacityBytes)
    {
        if (tableOffset < 0 || (tableOffset & (ENTRY_LENGTH - 1)) != 0)
        {
            throw new IllegalArgumentException("grant table offset must be 8-byte aligned: " + tableOffset);
        }
        if (tableLengthBytes <= 0 || tableLengthBytes % SringDescriptor.PAGE_SIZE_BYTES != 0)
        {
            throw new IllegalArgumentException(
                "grant table must be a positive number of 4 KiB frames: " + tableLengthBytes + " bytes");
        }
        if ((long)tableOffset + tableLengthBytes > capacityBytes)
        {
            throw new IllegalArgumentException("grant table [" + tableOffset + ", " +
                ((long)tableOffset + tableLengthBytes) + ") lies outside a buffer of " + capacityBytes + " bytes");
        }
    }

    /** One entry at an 8-byte aligned {@code offset} that lies wholly inside the buffer. */
    public static void checkEntryOffset(final int offset, final int capacityBytes)
    {
        if (offset < 0 || (offset & (ENTRY_LENGTH - 1)) != 0 || (long)offset + ENTRY_LENGTH > capacityBytes)
        {
            throw new IllegalArgumentException("grant entry offset must be 8-byte aligned and inside a buffer of " +
                capacityBytes + " bytes: " + offset);
        }
    }

    /** {@code domid_t} is u16. */
    public static void checkDomid(final int domid)
    {
        if (domid < 0 || domid > MAX_DOMID)
        {
            throw new IllegalArgumentException("domid must fit domid_t (u16): " + domid);
        }
    }

    /** A live entry must have a type, flags are 16 bits, and the guest sets none of the [XEN] bits. */
    public static void checkPublishFlags(final int flags)
    {
        if ((flags & ~FLAGS_MASK) != 0 || typeOf(flags) == GTF_INVALID)
        {
            throw new IllegalArgumentException("flags must be a u16 with a GTF type: 0x" + Integer.toHexString(flags));
        }
        // grant_table.h: GTF_reading/GTF_writing and GTF_transfer_committed/completed are [XEN] bits.
        final int hypervisorBits = typeOf(flags) == GTF_ACCEPT_TRANSFER ?
            GTF_TRANSFER_COMMITTED | GTF_TRANSFER_COMPLETED : GTF_IN_USE_MASK;
        if ((flags & hypervisorBits) != 0)
        {
            throw new IllegalArgumentException("flags set bits only the hypervisor may set: 0x" +
                Integer.toHexString(flags));
        }
    }
}
