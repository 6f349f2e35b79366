package io.pvio.ring.evtchn;

/**
 * Layout of {@code struct shared_info} ({@code xen/xen.h}, x86_64) with the 2-level event channel ABI: the page the
 * hypervisor shares with each guest, holding per-vCPU upcall state, one pending and one mask bit per event channel
 * port, the wallclock, and x86 p2m information.
 *
 * <pre>
 *  +---------------------------------------------------------------+
 *  | vcpu_info[0..31]        32 x 64 B  ({@link VcpuInfoDescriptor}) |    0
 *  +---------------------------------------------------------------+
 *  | evtchn_pending[0..63]   64 x u64   one bit per port           | 2048
 *  +---------------------------------------------------------------+
 *  | evtchn_mask[0..63]      64 x u64   one bit per port           | 2560
 *  +---------------+---------------+---------------+---------------+
 *  | wc_version u32| wc_sec u32    | wc_nsec u32   | wc_sec_hi u32 | 3072
 *  +---------------+---------------+---------------+---------------+
 *  | arch: max_pfn, pfn_to_mfn_frame_list_list, nmi_reason,         | 3088
 *  |       p2m_cr3, p2m_vaddr, p2m_generation  (6 x u64)           |
 *  +---------------------------------------------------------------+
 *                                                                    3136
 * </pre>
 *
 * <ul>
 *   <li>Port p: pending/mask word p / 64, bit p % 64 (xen_ulong_t is 64 bits): 64 x 64 = 4096 ports.</li>
 *   <li>evtchn_pending: set atomically by the hypervisor, cleared atomically by the guest.</li>
 *   <li>evtchn_mask: updated by the guest only, read-only within the hypervisor; a port that becomes pending while
 *       masked loses its edge (the guest checks pending itself when unmasking).</li>
 *   <li>A 0-&gt;1 pending transition on an unmasked port sets bit (p / 64) of the vCPU's evtchn_pending_sel and its
 *       evtchn_upcall_pending.</li>
 *   <li>wc_*: a seqlock, wc_version odd while the hypervisor updates the wallclock.</li>
 * </ul>
 */
public final class SharedInfoDescriptor
{
    /** {@code XEN_LEGACY_MAX_VCPUS} (x86): vcpu_info slots in shared_info. */
    public static final int MAX_VIRT_CPUS = 32;
    /** Bits per {@code xen_ulong_t} word on x86_64. */
    public static final int BITS_PER_WORD = 64;
    public static final int WORD_BYTES = 8;
    /** Words in each of evtchn_pending and evtchn_mask: {@code sizeof(xen_ulong_t) * 8}. */
    public static final int EVTCHN_WORD_COUNT = 64;
    /** {@code EVTCHN_2L_NR_CHANNELS} on x86_64 (xen.h's {@code NR_EVENT_CHANNELS}). */
    public static final int NR_EVENT_CHANNELS = EVTCHN_WORD_COUNT * BITS_PER_WORD;

    public static final int VCPU_INFO_OFFSET = 0;
    public static final int EVTCHN_PENDING_OFFSET = VCPU_INFO_OFFSET + MAX_VIRT_CPUS * VcpuInfoDescriptor.LENGTH;
    public static final int EVTCHN_MASK_OFFSET = EVTCHN_PENDING_OFFSET + EVTCHN_WORD_COUNT * WORD_BYTES;
    public static final int WC_VERSION_OFFSET = EVTCHN_MASK_OFFSET + EVTCHN_WORD_COUNT * WORD_BYTES;
    public static final int WC_SEC_OFFSET = WC_VERSION_OFFSET + 4;
    public static final int WC_NSEC_OFFSET = WC_VERSION_OFFSET + 8;
    public static final int WC_SEC_HI_OFFSET = WC_VERSION_OFFSET + 12;

    /** {@code struct arch_shared_info} (x86_64): six u64 fields. */
    public static final int ARCH_OFFSET = WC_VERSION_OFFSET + 16;
    public static final int ARCH_MAX_PFN_OFFSET = ARCH_OFFSET;
    public static final int ARCH_PFN_TO_MFN_FRAME_LIST_LIST_OFFSET = ARCH_OFFSET + 8;
    public static final int ARCH_NMI_REASON_OFFSET = ARCH_OFFSET + 16;
    public static final int ARCH_P2M_CR3_OFFSET = ARCH_OFFSET + 24;
    public static final int ARCH_P2M_VADDR_OFFSET = ARCH_OFFSET + 32;
    public static final int ARCH_P2M_GENERATION_OFFSET = ARCH_OFFSET + 40;
    public static final int ARCH_LENGTH = 48;

    /** {@code sizeof(struct shared_info)}: fits one 4 KiB page. */
    public static final int LENGTH = ARCH_OFFSET + ARCH_LENGTH;

    private SharedInfoDescriptor()
    {
    }

    /** Offset of {@code vcpu_info[vcpu]} relative to shared_info. */
    public static int vcpuInfoOffset(final int vcpu)
    {
        return VCPU_INFO_OFFSET + vcpu * VcpuInfoDescriptor.LENGTH;
    }

    /** Index of the pending/mask word holding {@code port}; also the port's bit in evtchn_pending_sel. */
    public static int wordIndex(final int port)
    {
        return port >>> 6;
    }

    /** The port's bit within its word. */
    public static long bitMask(final int port)
    {
        return 1L << (port & (BITS_PER_WORD - 1));
    }

    /** The first port of word {@code wordIndex}. */
    public static int firstPort(final int wordIndex)
    {
        return wordIndex * BITS_PER_WORD;
    }

    /** Offset of {@code evtchn_pending[wordIndex]} relative to shared_info. */
    public static int pendingWordOffset(final int wordIndex)
    {
        return EVTCHN_PENDING_OFFSET + wordIndex * WORD_BYTES;
    }

    /** Offset of {@code evtchn_mask[wordIndex]} relative to shared_info. */
    public static int maskWordOffset(final int wordIndex)
    {
        return EVTCHN_MASK_OFFSET + wordIndex * WORD_BYTES;
    }

    /** Whether {@code port} is a 2-level port number (0 .. NR_EVENT_CHANNELS - 1). */
    public static boolean isValidPort(final int port)
    {
        return port >= 0 && port < NR_EVENT_CHANNELS;
    }

    public static void checkPort(final int port)
    {
        if (!isValidPort(port))
        {
            throw new IllegalArgumentException(
                "event channel port must be in 0.." + (NR_EVENT_CHANNELS - 1) + ": " + port);
        }
    }

    public static void checkVcpu(final int vcpu)
    {
        if (vcpu < 0 || vcpu >= MAX_VIRT_CPUS)
        {
            throw new IllegalArgumentException("vcpu must be in 0.." + (MAX_VIRT_CPUS - 1) + ": " + vcpu);
        }
    }

    public static void checkWordIndex(final int wordIndex)
    {
        if (wordIndex < 0 || wordIndex >= EVTCHN_WORD_COUNT)
        {
            throw new IllegalArgumentException(
                "event channel word must be in 0.." + (EVTCHN_WORD_COUNT - 1) + ": " + wordIndex);
        }
    }

    /** shared_info starts 8-byte aligned (for the 64-bit atomics) and lies wholly inside the buffer. */
    public static void checkRegion(final int offset, final int capacityBytes)
    {
        if (offset < 0 || (offset & (WORD_BYTES - 1)) != 0 || (long)offset + LENGTH > capacityBytes)
        {
            throw new IllegalArgumentException("shared_info of " + LENGTH + " bytes must start 8-byte aligned " +
                "inside a buffer of " + capacityBytes + " bytes: offset " + offset);
        }
    }
}
