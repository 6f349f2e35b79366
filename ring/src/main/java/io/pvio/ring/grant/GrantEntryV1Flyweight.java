package io.pvio.ring.grant;

import io.pvio.ring.SringDescriptor;
import org.agrona.concurrent.AtomicBuffer;

import static io.pvio.ring.grant.GrantEntryV1Descriptor.DOMID_OFFSET;
import static io.pvio.ring.grant.GrantEntryV1Descriptor.FLAGS_DOMID_WORD_OFFSET;
import static io.pvio.ring.grant.GrantEntryV1Descriptor.FLAGS_MASK;
import static io.pvio.ring.grant.GrantEntryV1Descriptor.FLAGS_OFFSET;
import static io.pvio.ring.grant.GrantEntryV1Descriptor.FRAME_OFFSET;
import static io.pvio.ring.grant.GrantEntryV1Descriptor.GTF_INVALID;
import static io.pvio.ring.grant.GrantEntryV1Descriptor.GTF_IN_USE_MASK;
import static io.pvio.ring.grant.GrantEntryV1Descriptor.GTF_PERMIT_ACCESS;
import static io.pvio.ring.grant.GrantEntryV1Descriptor.GTF_READONLY;

/**
 * Flyweight over one {@code grant_entry_v1} ({@link GrantEntryV1Descriptor}) in a grant-table frame. Both sides use
 * it: the granting guest publishes and revokes entries; the hypervisor claims and releases them with atomic
 * operations on the flags+domid word.
 * <p>
 * <b>Mixed-size access.</b> The guest writes flags and domid as separate u16 stores, the hypervisor reads and swaps
 * them as one u32 - exactly as C Xen and its guests do. Java's memory model does not define mixed-size accesses to
 * one location, but x86-64 and AArch64 hardware keeps each aligned access single-copy atomic and coherent with the
 * others, which is all the protocol needs: a 32-bit compare-and-swap fails if either half changed since it was read.
 * <p>
 * <b>Hostile peers.</b> To the hypervisor every field is guest-controlled and may change between any two reads;
 * {@link #flagsDomidAcquire()} returns one snapshot to decide on, and the bit helpers give up after
 * {@link #MAX_CAS_ATTEMPTS} failed swaps instead of looping for ever against a guest rewriting the word.
 * <p>
 * Not thread-safe as an object (one flyweight per thread); the memory operations themselves are atomic as stated.
 */
public final class GrantEntryV1Flyweight
{
    /** Failed compare-and-swaps a bit helper tolerates before it reports the entry unstable. */
    public static final int MAX_CAS_ATTEMPTS = 256;
    /** Returned by the bit helpers when the word changed under every one of {@link #MAX_CAS_ATTEMPTS} swaps. */
    public static final int ENTRY_UNSTABLE = -1;

    private AtomicBuffer buffer;
    private int offset;

    public GrantEntryV1Flyweight()
    {
        SringDescriptor.checkNativeByteOrder();
    }

    /**
     * Positions this flyweight on the entry at absolute {@code offset} of {@code buffer}.
     *
     * @param offset 8-byte aligned offset of the entry; the buffer's own start must be 8-byte aligned (page-aligned
     *               shared memory is) so that the 32-bit atomics are aligned.
     * @return this.
     */
    public GrantEntryV1Flyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        GrantEntryV1Descriptor.checkEntryOffset(offset, buffer.capacity());
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * Positions this flyweight on entry {@code grantRef} of the table at {@code tableOffset}.
     * Callers holding a guest-supplied ref test it first with {@link GrantEntryV1Descriptor#isValidGrantRef} and
     * answer the guest with an error instead of letting this throw.
     *
     * @throws IllegalArgumentException if the table region is malformed or the ref lies outside it.
     */
    public GrantEntryV1Flyweight wrap(
        final AtomicBuffer buffer, final int tableOffset, final int tableLengthBytes, final int grantRef)
    {
        GrantEntryV1Descriptor.checkTableRegion(tableOffset, tableLengthBytes, buffer.capacity());
        GrantEntryV1Descriptor.checkGrantRef(grantRef, GrantEntryV1Descriptor.entryCount(tableLengthBytes));
        return wrap(buffer, tableOffset + GrantEntryV1Descriptor.entryOffset(grantRef));
    }

    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /** Absolute offset of the wrapped entry. */
    public int offset()
    {
        return offset;
    }

    // ---- reads ----

    /** Current flags (u16). */
    public int flagsVolatile()
    {
        // either side: the latest flags, ordered with our other volatile and atomic accesses to this entry.
        return buffer.getShortVolatile(offset + FLAGS_OFFSET) & FLAGS_MASK;
    }

    /** domid (u16), plain read: the guest is its only writer; the hypervisor reads it via the combined word. */
    public int domid()
    {
        return buffer.getShort(offset + DOMID_OFFSET) & 0xFFFF;
    }

    /**
     * frame (u32 as int), plain read. The hypervisor calls it only after {@link #flagsDomidAcquire()} or a successful
     * compare-and-swap, which order it after the guest's publish.
     */
    public int frame()
    {
        return buffer.getInt(offset + FRAME_OFFSET);
    }

    // ---- guest side ----

    /**
     * Introduces a valid entry (grant_table.h "Introducing a valid entry"): domid, then frame, then - after a write
     * barrier - flags with the type. The entry must currently be invalid (never published or revoked).
     *
     * @param domid domain granted access (u16).
     * @param frame granted frame number (u32).
     * @param flags a GTF type and guest sub-flags (see {@link GrantEntryV1Descriptor#checkPublishFlags}).
     * @throws IllegalStateException if the entry is still valid.
     */
    public void publish(final int domid, final int frame, final int flags)
    {
        GrantEntryV1Descriptor.checkDomid(domid);
        GrantEntryV1Descriptor.checkPublishFlags(flags);
        if (flagsVolatile() != GTF_INVALID)
        {
            throw new IllegalStateException("grant entry at " + offset + " is still valid: flags 0x" +
                Integer.toHexString(flagsVolatile()));
        }
        buffer.putShort(offset + DOMID_OFFSET, (short)domid);
        buffer.putInt(offset + FRAME_OFFSET, frame);
        // hypervisor: once its load or cmpxchg of flags+domid sees the type, it also sees domid and frame (WMB).
        buffer.putShortVolatile(offset + FLAGS_OFFSET, (short)flags);
    }

    /** {@link #publish} of a {@code GTF_permit_access} entry, read-only if asked. */
    public void permitAccess(final int domid, final int frame, final boolean readOnly)
    {
        publish(domid, frame, GTF_PERMIT_ACCESS | (readOnly ? GTF_READONLY : 0));
    }

    /**
     * Invalidates an unused {@code GTF_permit_access} entry (grant_table.h "Invalidating an unused
     * GTF_permit_access entry"): succeeds only while neither {@code GTF_reading} nor {@code GTF_writing} is set, by a
     * compare-and-swap that fails if the hypervisor claimed the entry meanwhile.
     *
     * @return true if the entry is now invalid (the frame may be reused); false if it is mapped (in use), in which
     * case nothing changed and the caller retries later.
     */
    public boolean tryRevoke()
    {
        // Each failed swap means the hypervisor changed the in-use bits (the guest alone writes domid), so the loop
        // re-checks them and ends as soon as it sees the entry in use or wins the swap.
        while (true)
        {
            // guest: the current in-use bits, as the hypervisor last set or cleared them.
            final int word = buffer.getIntVolatile(offset + FLAGS_DOMID_WORD_OFFSET);
            if ((word & GTF_IN_USE_MASK) != 0)
            {
                return false;
            }
            // hypervisor: its next cmpxchg on flags+domid sees GTF_invalid and refuses to map. No barrier is needed
            // before the frame is reused: reuse is control-dependent on this swap succeeding.
            if (buffer.compareAndSetInt(offset + FLAGS_DOMID_WORD_OFFSET, word, word & ~FLAGS_MASK))
            {
                return true;
            }
        }
    }

    // ---- hypervisor side ----

    /**
     * One snapshot of flags (low 16 bits) and domid (high 16 bits). Decide on this value only, then claim the entry
     * with {@link #compareAndExchangeFlagsDomid}; never re-read the halves separately.
     */
    public int flagsDomidAcquire()
    {
        // hypervisor: pairs with the guest's flags store in publish(): domid and frame written before are visible.
        return buffer.getIntAcquire(offset + FLAGS_DOMID_WORD_OFFSET);
    }

    /**
     * Atomically replaces the flags+domid word if it still equals {@code expectedWord}.
     *
     * @return true if swapped.
     */
    public boolean compareAndSetFlagsDomid(final int expectedWord, final int newWord)
    {
        // guest: sees the new flags (e.g. GTF_reading set) atomically with our check that flags and domid were
        // unchanged; a concurrent revoke or domid change makes this fail instead of being overwritten.
        return buffer.compareAndSetInt(offset + FLAGS_DOMID_WORD_OFFSET, expectedWord, newWord);
    }

    /**
     * As {@link #compareAndSetFlagsDomid} but returns the witnessed word: equal to {@code expectedWord} on success,
     * otherwise the current value to re-validate and retry with (Xen's cmpxchg loop when claiming an entry).
     */
    public int compareAndExchangeFlagsDomid(final int expectedWord, final int newWord)
    {
        // guest: as compareAndSetFlagsDomid; full fence either way.
        return buffer.compareAndExchangeInt(offset + FLAGS_DOMID_WORD_OFFSET, expectedWord, newWord);
    }

    /**
     * Atomically clears {@code bits} in flags, leaving domid and the other flags as they are at the instant of the
     * swap ({@code gnttab_clear_flags}); used to drop {@code GTF_reading}/{@code GTF_writing} on unmap.
     *
     * @param bits flag bits (within the low 16).
     * @return the flags before clearing, or {@link #ENTRY_UNSTABLE} if the guest kept changing the word.
     */
    public int getAndClearFlags(final int bits)
    {
        final int clearMask = ~(bits & FLAGS_MASK);
        for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++)
        {
            // hypervisor: current word; the swap below fails if the guest writes flags or domid in between.
            final int word = buffer.getIntVolatile(offset + FLAGS_DOMID_WORD_OFFSET);
            // guest: sees the bits cleared; all our accesses to the granted frame happen before (full fence).
            if (buffer.compareAndSetInt(offset + FLAGS_DOMID_WORD_OFFSET, word, word & clearMask))
            {
                return word & FLAGS_MASK;
            }
        }
        return ENTRY_UNSTABLE;
    }

    /**
     * Atomically sets {@code bits} in flags, leaving domid and the other flags as they are at the instant of the swap.
     *
     * @return the flags before setting, or {@link #ENTRY_UNSTABLE} if the word kept changing.
     */
    public int getAndSetFlags(final int bits)
    {
        final int setMask = bits & FLAGS_MASK;
        for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++)
        {
            // this side: current word; the swap below fails if the other side writes flags or domid in between.
            final int word = buffer.getIntVolatile(offset + FLAGS_DOMID_WORD_OFFSET);
            // other side: sees the bits set, with everything we wrote before (full fence).
            if (buffer.compareAndSetInt(offset + FLAGS_DOMID_WORD_OFFSET, word, word | setMask))
            {
                return word & FLAGS_MASK;
            }
        }
        return ENTRY_UNSTABLE;
    }

    @Override
    public String toString()
    {
        if (buffer == null)
        {
            return "GrantEntryV1{unwrapped}";
        }
        final int word = buffer.getIntVolatile(offset + FLAGS_DOMID_WORD_OFFSET);
        return "GrantEntryV1{offset=" + offset + ", flags=0x" +
            Integer.toHexString(GrantEntryV1Descriptor.flagsOf(word)) + ", domid=" +
            GrantEntryV1Descriptor.domidOf(word) + ", frame=" + Integer.toUnsignedString(frame()) + "}";
    }
}
