package io.pvio.hypervisor.grant;

import io.pvio.hypervisor.memory.MachineMemory;
import io.pvio.hypervisor.memory.Physmap;
import io.pvio.ring.grant.GrantEntryV1Descriptor;
import io.pvio.ring.grant.GrantEntryV1Flyweight;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The granting side of one domain's grant table (v1): the {@code grant_entry_v1} array in frames the domain shares
 * with the hypervisor, plus the hypervisor's private "active" state per reference (Xen's
 * {@code active_grant_entry}): how many read-only and writable pins, by which domain, of which frame.
 * <p>
 * <b>Claiming an entry</b> ({@link #pinAndRetain}). The first pin, and the first writable pin, validate the guest's
 * entry and set {@code GTF_reading} (and {@code GTF_writing}) with one compare-and-swap over flags+domid, so a
 * concurrent revoke by the guest either happens first (and the pin fails) or fails itself. The frame number is read
 * once, after that swap, and translated through the granter's physmap; the active entry then caches the machine
 * frame, which stays alive because every pin's holder also retains it. {@link #unpin} drops {@code GTF_writing} with
 * the last writable pin and {@code GTF_reading} with the last pin, telling the guest it may reuse the page.
 * <p>
 * Thread-safe: each method holds this object's monitor; the guest writes entries concurrently through its own view.
 * The domain must be alive (entered) while these run, since the entries live in its frames.
 */
public final class GrantTable
{
    /** Pins per reference and kind; Xen allows 255 per pin type and mapping kind. */
    static final int MAX_PINS = 0xFFFF;
    /** Swaps against a changing entry before the entry is reported unstable (Xen gives up after a few too). */
    static final int MAX_CLAIM_ATTEMPTS = 16;

    private final MachineMemory memory;
    private final Physmap physmap;
    private final AtomicBuffer[] frames;
    private final int entryCount;
    private final GrantEntryV1Flyweight entry = new GrantEntryV1Flyweight();
    private final int[] readPins;
    private final int[] writePins;
    private final int[] activeDomid;
    private final int[] activeMfn;
    private int pinnedRefs;

    /**
     * @param memory  machine memory.
     * @param physmap the granting domain's physmap, to translate granted gfns.
     * @param frames  the hypervisor's views of the grant table frames, in order.
     */
    public GrantTable(final MachineMemory memory, final Physmap physmap, final AtomicBuffer[] frames)
    {
        this.memory = memory;
        this.physmap = physmap;
        this.frames = frames.clone();
        this.entryCount = frames.length * GrantEntryV1Descriptor.ENTRIES_PER_FRAME;
        this.readPins = new int[entryCount];
        this.writePins = new int[entryCount];
        this.activeDomid = new int[entryCount];
        this.activeMfn = new int[entryCount];
    }

    /** Grant references in this table ({@code GNTTABOP_query_size} nr_frames * 512). */
    public int entryCount()
    {
        return entryCount;
    }

    public int frameCount()
    {
        return frames.length;
    }

    /**
     * Pins {@code ref} for {@code mapperDomid} and retains its frame for the caller (pair with {@link #unpin} and
     * {@link MachineMemory#releaseFrame}).
     *
     * @param readOnly whether the caller only reads the frame.
     * @return the machine frame, or a negative {@link GrantStatus}: BAD_GNTREF for a ref outside the table,
     * GENERAL_ERROR if the entry does not permit this access to this domain (Xen's answer too), or the granted
     * frame is not the granter's.
     */
    public synchronized int pinAndRetain(final int ref, final int mapperDomid, final boolean readOnly)
    {
        if (!GrantEntryV1Descriptor.isValidGrantRef(ref, entryCount))
        {
            return GrantStatus.BAD_GNTREF;
        }
        final int pins = readPins[ref] + writePins[ref];
        if (pins > 0 && activeDomid[ref] != mapperDomid)
        {
            return GrantStatus.GENERAL_ERROR;
        }
        if ((readOnly ? readPins[ref] : writePins[ref]) >= MAX_PINS)
        {
            return GrantStatus.NO_SPACE;
        }
        final boolean claimShared = pins == 0 || (!readOnly && writePins[ref] == 0);
        if (claimShared)
        {
            final int status = claimEntry(ref, mapperDomid, readOnly);
            if (status != GrantStatus.OKAY)
            {
                return status;
            }
        }
        if (pins == 0)
        {
            // read once, after the swap that made the entry ours: the guest may rewrite it at any time.
            final GrantEntryV1Flyweight e = wrap(ref);
            final long gfn = Integer.toUnsignedLong(e.frame());
            final int mfn = physmap.retainFrame(gfn);
            if (mfn == MachineMemory.INVALID_MFN)
            {
                e.getAndClearFlags(GrantEntryV1Descriptor.GTF_IN_USE_MASK);
                return GrantStatus.GENERAL_ERROR;
            }
            activeDomid[ref] = mapperDomid;
            activeMfn[ref] = mfn;
            pinnedRefs++;
        }
        else
        {
            memory.retainFrame(activeMfn[ref]);
        }
        if (readOnly)
        {
            readPins[ref]++;
        }
        else
        {
            writePins[ref]++;
        }
        return activeMfn[ref];
    }

    /**
     * Drops one pin taken by {@link #pinAndRetain}; the caller releases its frame reference itself.
     * Clears {@code GTF_writing} with the last writable pin and {@code GTF_reading} with the last pin.
     */
    public synchronized void unpin(final int ref, final boolean readOnly)
    {
        if (!GrantEntryV1Descriptor.isValidGrantRef(ref, entryCount))
        {
            throw new IllegalArgumentException("unpin of ref " + ref + " outside the table");
        }
        if (readOnly)
        {
            checkPinned(readPins[ref], ref);
            readPins[ref]--;
        }
        else
        {
            checkPinned(writePins[ref], ref);
            writePins[ref]--;
        }
        int clear = 0;
        if (writePins[ref] == 0)
        {
            clear |= GrantEntryV1Descriptor.GTF_WRITING;
        }
        if (readPins[ref] + writePins[ref] == 0)
        {
            clear |= GrantEntryV1Descriptor.GTF_READING;
            activeMfn[ref] = MachineMemory.INVALID_MFN;
            pinnedRefs--;
        }
        if (clear != 0)
        {
            // a guest rewriting its live entry for ever leaves the bits set: it only hurts itself.
            wrap(ref).getAndClearFlags(clear);
        }
    }

    /** References with at least one pin (diagnostics, leak checks). */
    public synchronized int pinnedRefs()
    {
        return pinnedRefs;
    }

    /** Pins on {@code ref}: read-only plus writable. */
    public synchronized int pinCount(final int ref)
    {
        return GrantEntryV1Descriptor.isValidGrantRef(ref, entryCount) ? readPins[ref] + writePins[ref] : 0;
    }

    private int claimEntry(final int ref, final int mapperDomid, final boolean readOnly)
    {
        final GrantEntryV1Flyweight e = wrap(ref);
        for (int attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++)
        {
            final int word = e.flagsDomidAcquire();
            final int flags = GrantEntryV1Descriptor.flagsOf(word);
            // grant_table.h: only a GTF_permit_access entry naming the mapping domain may be mapped.
            if (GrantEntryV1Descriptor.typeOf(flags) != GrantEntryV1Descriptor.GTF_PERMIT_ACCESS ||
                GrantEntryV1Descriptor.domidOf(word) != mapperDomid)
            {
                return GrantStatus.GENERAL_ERROR;
            }
            int newFlags = flags | GrantEntryV1Descriptor.GTF_READING;
            if (!readOnly)
            {
                // grant_table.h: GTF_readonly restricts the grantee to read-only mappings and accesses.
                if ((flags & GrantEntryV1Descriptor.GTF_READONLY) != 0)
                {
                    return GrantStatus.GENERAL_ERROR;
                }
                newFlags |= GrantEntryV1Descriptor.GTF_WRITING;
            }
            if (e.compareAndSetFlagsDomid(word, GrantEntryV1Descriptor.flagsDomidWord(newFlags, mapperDomid)))
            {
                return GrantStatus.OKAY;
            }
        }
        return GrantStatus.GENERAL_ERROR;
    }

    private GrantEntryV1Flyweight wrap(final int ref)
    {
        final int frameIndex = ref / GrantEntryV1Descriptor.ENTRIES_PER_FRAME;
        final int refInFrame = ref % GrantEntryV1Descriptor.ENTRIES_PER_FRAME;
        return entry.wrap(frames[frameIndex], GrantEntryV1Descriptor.entryOffset(refInFrame));
    }

    private static void checkPinned(final int pins, final int ref)
    {
        if (pins <= 0)
        {
            throw new IllegalStateException("unpin of unpinned grant ref " + ref);
        }
    }
}
