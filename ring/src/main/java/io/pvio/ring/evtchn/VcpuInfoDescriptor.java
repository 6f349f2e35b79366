package io.pvio.ring.evtchn;

/**
 * Layout of {@code struct vcpu_info} ({@code xen/xen.h}, x86_64 with {@code XEN_HAVE_PV_UPCALL_MASK}): the per-vCPU
 * event delivery state at the start of {@code shared_info}, with its nested {@code arch_vcpu_info} and
 * {@code vcpu_time_info} (offsets given relative to the start of vcpu_info).
 *
 * <pre>
 *   0       1       2       3       4       5       6       7
 *  +-------+-------+-------+-------+-------+-------+-------+-------+
 *  |pending| mask  |          (padding, 6 bytes)                   |  0  upcall word = bytes 0..3 (u32)
 *  +-------+-------+-------+-------+-------+-------+-------+-------+
 *  |              evtchn_pending_sel (xen_ulong_t, u64)            |  8
 *  +---------------------------------------------------------------+
 *  |              arch.cr2 (u64)                                   | 16
 *  +---------------------------------------------------------------+
 *  |              arch.pad (u64)                                   | 24
 *  +-------------------------------+-------------------------------+
 *  |  time.version (u32)           |  time.pad0 (u32)              | 32
 *  +-------------------------------+-------------------------------+
 *  |              time.tsc_timestamp (u64)                         | 40
 *  +---------------------------------------------------------------+
 *  |              time.system_time (u64, ns since boot)            | 48
 *  +-------------------------------+-------+-------+---------------+
 *  |  time.tsc_to_system_mul (u32) | shift | flags |  pad1[2]      | 56
 *  +-------------------------------+-------+-------+---------------+
 *                                                                    64
 * </pre>
 *
 * <ul>
 *   <li>evtchn_upcall_pending: set (bit 0) by the hypervisor atomically; cleared by the guest before it scans for
 *       work, so a new event after the scan starts is never missed.</li>
 *   <li>evtchn_upcall_mask: written by the guest only (plain byte stores, no lock: xen.h), read by the hypervisor
 *       before making an upcall; non-zero means no upcall ("interrupts off").</li>
 *   <li>evtchn_pending_sel: bit w set means word w of {@code evtchn_pending} may hold pending unmasked ports; the
 *       hypervisor sets bits atomically, the guest exchanges it with zero.</li>
 *   <li>The time fields are a seqlock: version odd while the hypervisor updates them.</li>
 * </ul>
 */
public final class VcpuInfoDescriptor
{
    /** {@code sizeof(struct vcpu_info)} on x86. */
    public static final int LENGTH = 64;

    public static final int EVTCHN_UPCALL_PENDING_OFFSET = 0;
    public static final int EVTCHN_UPCALL_MASK_OFFSET = 1;
    /**
     * The aligned u32 holding upcall_pending (byte 0, low bits), upcall_mask (byte 1) and two padding bytes: the word
     * a compare-and-swap covers to update one of those bytes atomically.
     */
    public static final int UPCALL_WORD_OFFSET = 0;
    public static final int UPCALL_PENDING_SHIFT = 0;
    public static final int UPCALL_MASK_SHIFT = 8;
    public static final int EVTCHN_PENDING_SEL_OFFSET = 8;

    /** {@code struct arch_vcpu_info} (x86_64): cr2 and pad, 16 bytes. */
    public static final int ARCH_OFFSET = 16;
    public static final int ARCH_CR2_OFFSET = 16;
    public static final int ARCH_PAD_OFFSET = 24;
    public static final int ARCH_LENGTH = 16;

    /** {@code struct vcpu_time_info}, 32 bytes. */
    public static final int TIME_OFFSET = 32;
    public static final int TIME_LENGTH = 32;
    public static final int TIME_VERSION_OFFSET = TIME_OFFSET;
    public static final int TIME_PAD0_OFFSET = TIME_OFFSET + 4;
    public static final int TIME_TSC_TIMESTAMP_OFFSET = TIME_OFFSET + 8;
    public static final int TIME_SYSTEM_TIME_OFFSET = TIME_OFFSET + 16;
    public static final int TIME_TSC_TO_SYSTEM_MUL_OFFSET = TIME_OFFSET + 24;
    public static final int TIME_TSC_SHIFT_OFFSET = TIME_OFFSET + 28;
    public static final int TIME_FLAGS_OFFSET = TIME_OFFSET + 29;
    public static final int TIME_PAD1_OFFSET = TIME_OFFSET + 30;

    /** {@code XEN_PVCLOCK_TSC_STABLE_BIT} in time.flags. */
    public static final int XEN_PVCLOCK_TSC_STABLE_BIT = 1;
    /** {@code XEN_PVCLOCK_GUEST_STOPPED} in time.flags. */
    public static final int XEN_PVCLOCK_GUEST_STOPPED = 1 << 1;

    /** Bits in evtchn_pending_sel: one per word of evtchn_pending. */
    public static final int PENDING_SEL_BITS = 64;

    private VcpuInfoDescriptor()
    {
    }

    /** upcall_pending's bit 0 within the upcall word. */
    public static int upcallPendingBit()
    {
        return 1 << UPCALL_PENDING_SHIFT;
    }

    /** upcall_mask's byte within the upcall word. */
    public static int upcallMaskByte()
    {
        return 0xFF << UPCALL_MASK_SHIFT;
    }

    public static void checkPendingSelBit(final int bit)
    {
        if (bit < 0 || bit >= PENDING_SEL_BITS)
        {
            throw new IllegalArgumentException("evtchn_pending_sel bit must be in 0.." + (PENDING_SEL_BITS - 1) +
                ": " + bit);
        }
    }
}
