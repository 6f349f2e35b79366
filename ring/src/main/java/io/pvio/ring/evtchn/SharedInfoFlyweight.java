package io.pvio.ring.evtchn;

import io.pvio.ring.SringDescriptor;
import org.agrona.concurrent.AtomicBuffer;

/**
 * Flyweight over {@code shared_info} ({@link SharedInfoDescriptor}): the atomic operations of the 2-level event
 * channel ABI on the pending and mask bitmaps and on each {@code vcpu_info} ({@link VcpuInfoDescriptor}).
 * <p>
 * <b>Atomicity.</b> Xen uses locked bit instructions ({@code test_and_set_bit} on a {@code xen_ulong_t}); here each
 * read-modify-write is a compare-and-swap loop on the aligned 64-bit word. The loops are lock-free: a swap fails
 * only when the other side changed the word between our load and our swap, a window of nanoseconds, after which
 * we retry with the new value. Every swap is a full fence.
 * <p>
 * <b>Bytes.</b> Agrona has no byte compare-and-swap. {@code evtchn_upcall_mask} needs none: only the guest writes
 * it (volatile byte stores), the hypervisor only reads it (volatile byte loads) - xen.h asks for no more than
 * store/load ordering. {@code evtchn_upcall_pending} is set by the hypervisor with test-and-set and cleared by the
 * guest; the test-and-set is a compare-and-swap on the aligned u32 holding bytes 0..3 of vcpu_info
 * ({@link VcpuInfoDescriptor#UPCALL_WORD_OFFSET}), so a guest byte store to pending or mask in between makes the
 * swap fail and retry instead of being overwritten. This mixes byte and word accesses to one location, as C Xen
 * does: Java's memory model leaves that undefined, but x86-64 and AArch64 keep aligned accesses of any size atomic
 * and coherent.
 * <p>
 * <b>Hostile peers.</b> A guest writes its own page at any time, so it can make every swap of a loop fail. The
 * hypervisor therefore uses {@link #boundedRetries()}: each read-modify-write then gives up after
 * {@link #MAX_CAS_ATTEMPTS} lost races and reports "no transition" (a set bit was already set, a cleared bit was
 * already clear), so the page's owner, and nobody else, loses that update (Xen's XSA-295: a guest must not keep the
 * hypervisor looping on its memory). Without it (the guest's own side) the loops run until they win.
 * <p>
 * Port, word and vCPU numbers are checked and an {@link IllegalArgumentException} thrown for bad ones; a hypervisor
 * holding a guest-supplied port validates it first with {@link SharedInfoDescriptor#isValidPort}.
 */
public final class SharedInfoFlyweight
{
    /** Lost races a read-modify-write tolerates under {@link #boundedRetries()} before it gives up. */
    public static final int MAX_CAS_ATTEMPTS = 256;

    private AtomicBuffer buffer;
    private int offset;
    private int maxCasAttempts = Integer.MAX_VALUE;

    public SharedInfoFlyweight()
    {
        SringDescriptor.checkNativeByteOrder();
    }

    /**
     * @param offset 8-byte aligned offset of shared_info in {@code buffer} (usually 0 of its own page).
     * @return this.
     */
    public SharedInfoFlyweight wrap(final AtomicBuffer buffer, final int offset)
    {
        SharedInfoDescriptor.checkRegion(offset, buffer.capacity());
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * The other side of this page is untrusted (the hypervisor over a guest's shared_info): from now on every
     * read-modify-write gives up after {@link #MAX_CAS_ATTEMPTS} lost races, reporting no transition.
     *
     * @return this.
     */
    public SharedInfoFlyweight boundedRetries()
    {
        maxCasAttempts = MAX_CAS_ATTEMPTS;
        return this;
    }

    public AtomicBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    // ---- evtchn_pending ----

    /**
     * Sets {@code port}'s pending bit (hypervisor, on send) and returns its previous value; only a 0-&gt;1
     * transition goes on to set the selector and upcall bits.
     */
    public boolean testAndSetPending(final int port)
    {
        return testAndSetBit(pendingWordAt(port), SharedInfoDescriptor.bitMask(port));
    }

    /** Clears {@code port}'s pending bit (guest, before handling the port) and returns its previous value. */
    public boolean testAndClearPending(final int port)
    {
        return testAndClearBit(pendingWordAt(port), SharedInfoDescriptor.bitMask(port));
    }

    public boolean isPending(final int port)
    {
        // either side: the bit as last set or cleared, ordered with our other atomics on this page.
        return (buffer.getLongVolatile(pendingWordAt(port)) & SharedInfoDescriptor.bitMask(port)) != 0;
    }

    /** The whole pending word {@code wordIndex}, for the guest's upcall scanner. */
    public long pendingWordVolatile(final int wordIndex)
    {
        // guest: every bit the hypervisor set before it set our selector bit, which we exchanged to zero first.
        return buffer.getLongVolatile(pendingWordOffset(wordIndex));
    }

    /** Atomically replaces pending word {@code wordIndex}, returning the old word. */
    public long exchangePendingWord(final int wordIndex, final long newWord)
    {
        // hypervisor: sees the new word in full; a concurrent test-and-set either precedes (and is returned) or
        // follows (and is kept).
        return buffer.getAndSetLong(pendingWordOffset(wordIndex), newWord);
    }

    /**
     * Atomically clears {@code bits} of pending word {@code wordIndex} and returns the old word: the scanner takes
     * the pending unmasked ports of a word at once, leaving masked ones pending.
     */
    public long getAndClearPendingBits(final int wordIndex, final long bits)
    {
        return getAndClearBits(pendingWordOffset(wordIndex), bits);
    }

    // ---- evtchn_mask ----

    /** Masks {@code port} (guest) and returns whether it was masked. */
    public boolean testAndSetMask(final int port)
    {
        return testAndSetBit(maskWordAt(port), SharedInfoDescriptor.bitMask(port));
    }

    /**
     * Unmasks {@code port} (guest) and returns whether it was masked. An event that arrived while masked raised no
     * upcall: the caller checks {@link #isPending} after this and handles it.
     */
    public boolean testAndClearMask(final int port)
    {
        return testAndClearBit(maskWordAt(port), SharedInfoDescriptor.bitMask(port));
    }

    public boolean isMasked(final int port)
    {
        // hypervisor: the guest's last mask update; ordered after our pending test-and-set (full fence), so an
        // unmask racing a send is seen by one side or the other.
        return (buffer.getLongVolatile(maskWordAt(port)) & SharedInfoDescriptor.bitMask(port)) != 0;
    }

    public long maskWordVolatile(final int wordIndex)
    {
        // either side: the guest's latest mask bits for these 64 ports.
        return buffer.getLongVolatile(maskWordOffset(wordIndex));
    }

    // ---- vcpu_info: evtchn_upcall_pending ----

    /**
     * Sets {@code vcpu}'s evtchn_upcall_pending (hypervisor) and returns its previous value; the vCPU is
     * interrupted only on a 0-&gt;1 change.
     */
    public boolean testAndSetUpcallPending(final int vcpu)
    {
        final int wordOffset = vcpuOffset(vcpu) + VcpuInfoDescriptor.UPCALL_WORD_OFFSET;
        final int pendingBit = VcpuInfoDescriptor.upcallPendingBit();
        for (int attempt = 0; attempt < maxCasAttempts; attempt++)
        {
            // hypervisor: the current pending and mask bytes; a guest byte store after this fails the swap below.
            final int word = buffer.getIntVolatile(wordOffset);
            if ((word & pendingBit) != 0)
            {
                return true;
            }
            // guest: sees upcall_pending set after the pending and selector bits set before it (full fence).
            if (buffer.compareAndSetInt(wordOffset, word, word | pendingBit))
            {
                return false;
            }
        }
        // the guest kept rewriting the word: report no 0->1 change, so it is not interrupted for it.
        return true;
    }

    /** Clears {@code vcpu}'s evtchn_upcall_pending (guest, before scanning, so no new event is missed). */
    public void clearUpcallPending(final int vcpu)
    {
        // hypervisor: its next send sees 0 and raises a new upcall; our following selector exchange (full fence)
        // cannot be reordered before this store.
        buffer.putByteVolatile(vcpuOffset(vcpu) + VcpuInfoDescriptor.EVTCHN_UPCALL_PENDING_OFFSET, (byte)0);
    }

    public boolean upcallPending(final int vcpu)
    {
        // guest: the hypervisor's latest test-and-set, ordered after our own preceding volatile stores.
        return (buffer.getByteVolatile(
            vcpuOffset(vcpu) + VcpuInfoDescriptor.EVTCHN_UPCALL_PENDING_OFFSET) & 1) != 0;
    }

    // ---- vcpu_info: evtchn_upcall_mask (guest writes, hypervisor reads) ----

    /** Masks (true) or unmasks upcalls for {@code vcpu}: the guest's "interrupts off/on". */
    public void upcallMask(final int vcpu, final boolean masked)
    {
        // hypervisor: reads the new mask before its next upcall decision (store/load ordering, xen.h).
        buffer.putByteVolatile(
            vcpuOffset(vcpu) + VcpuInfoDescriptor.EVTCHN_UPCALL_MASK_OFFSET, (byte)(masked ? 1 : 0));
    }

    public boolean upcallMask(final int vcpu)
    {
        // hypervisor: the guest's latest mask store, read after our pending updates (full fences).
        return buffer.getByteVolatile(vcpuOffset(vcpu) + VcpuInfoDescriptor.EVTCHN_UPCALL_MASK_OFFSET) != 0;
    }

    /**
     * Unmasks upcalls for {@code vcpu} and re-checks evtchn_upcall_pending: an event that arrived while masked raised
     * no upcall, so the guest must handle it itself when this returns true.
     */
    public boolean unmaskUpcallsAndCheckPending(final int vcpu)
    {
        upcallMask(vcpu, false);
        // guest: the volatile store above is ordered before this load, so either the hypervisor saw the mask clear
        // and will raise an upcall, or we see its pending byte here.
        return upcallPending(vcpu);
    }

    // ---- vcpu_info: evtchn_pending_sel ----

    /** Sets selector bit {@code bit} of {@code vcpu} (hypervisor) and returns its previous value. */
    public boolean testAndSetPendingSel(final int vcpu, final int bit)
    {
        VcpuInfoDescriptor.checkPendingSelBit(bit);
        return testAndSetBit(vcpuOffset(vcpu) + VcpuInfoDescriptor.EVTCHN_PENDING_SEL_OFFSET, 1L << bit);
    }

    /** Exchanges {@code vcpu}'s selector with zero (guest scanner) and returns the words to scan. */
    public long exchangePendingSelToZero(final int vcpu)
    {
        // hypervisor: a selector bit set after this is kept and announced again; the guest then reads the pending
        // words set before each bit it took here (full fence).
        return buffer.getAndSetLong(vcpuOffset(vcpu) + VcpuInfoDescriptor.EVTCHN_PENDING_SEL_OFFSET, 0L);
    }

    public long pendingSelVolatile(final int vcpu)
    {
        // either side: the selector as last set or exchanged.
        return buffer.getLongVolatile(vcpuOffset(vcpu) + VcpuInfoDescriptor.EVTCHN_PENDING_SEL_OFFSET);
    }

    // ---- internals ----

    private boolean testAndSetBit(final int wordOffset, final long bit)
    {
        for (int attempt = 0; attempt < maxCasAttempts; attempt++)
        {
            // this side: the current word; the swap fails if the other side changed any bit since.
            final long word = buffer.getLongVolatile(wordOffset);
            if ((word & bit) != 0)
            {
                return true;
            }
            // other side: sees the bit set together with everything we wrote before (full fence).
            if (buffer.compareAndSetLong(wordOffset, word, word | bit))
            {
                return false;
            }
        }
        // bounded: the other side kept rewriting the word; report "already set", no transition to act on.
        return true;
    }

    private boolean testAndClearBit(final int wordOffset, final long bit)
    {
        for (int attempt = 0; attempt < maxCasAttempts; attempt++)
        {
            // this side: the current word; the swap fails if the other side changed any bit since.
            final long word = buffer.getLongVolatile(wordOffset);
            if ((word & bit) == 0)
            {
                return false;
            }
            // other side: sees the bit clear; a set after this is a new 0->1 transition (full fence).
            if (buffer.compareAndSetLong(wordOffset, word, word & ~bit))
            {
                return true;
            }
        }
        // bounded: the other side kept rewriting the word; report "already clear", no transition to act on.
        return false;
    }

    private long getAndClearBits(final int wordOffset, final long bits)
    {
        for (int attempt = 0; attempt < maxCasAttempts; attempt++)
        {
            // this side: the current word; the swap fails if the other side changed any bit since.
            final long word = buffer.getLongVolatile(wordOffset);
            // other side: sees exactly these bits cleared; bits it sets afterwards stay set (full fence).
            if ((word & bits) == 0 || buffer.compareAndSetLong(wordOffset, word, word & ~bits))
            {
                return word;
            }
        }
        // bounded: the other side kept rewriting the word; none of the bits was taken.
        return 0L;
    }

    private int pendingWordAt(final int port)
    {
        SharedInfoDescriptor.checkPort(port);
        return offset + SharedInfoDescriptor.pendingWordOffset(SharedInfoDescriptor.wordIndex(port));
    }

    private int maskWordAt(final int port)
    {
        SharedInfoDescriptor.checkPort(port);
        return offset + SharedInfoDescriptor.maskWordOffset(SharedInfoDescriptor.wordIndex(port));
    }

    private int pendingWordOffset(final int wordIndex)
    {
        SharedInfoDescriptor.checkWordIndex(wordIndex);
        return offset + SharedInfoDescriptor.pendingWordOffset(wordIndex);
    }

    private int maskWordOffset(final int wordIndex)
    {
        SharedInfoDescriptor.checkWordIndex(wordIndex);
        return offset + SharedInfoDescriptor.maskWordOffset(wordIndex);
    }

    private int vcpuOffset(final int vcpu)
    {
        SharedInfoDescriptor.checkVcpu(vcpu);
        return offset + SharedInfoDescriptor.vcpuInfoOffset(vcpu);
    }
}
