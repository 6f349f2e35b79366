package io.pvio.hypervisor.domain;

/** Domain ids ({@code domid_t}, u16) and the reserved ones of {@code xen.h}. */
public final class DomainId
{
    /** The control domain, privileged, created at boot. */
    public static final int DOM0 = 0;
    /** {@code DOMID_FIRST_RESERVED}: ids from here up are not ordinary domains. */
    public static final int FIRST_RESERVED = 0x7FF0;
    /** {@code DOMID_SELF}: the calling domain. */
    public static final int SELF = 0x7FF0;
    /** {@code DOMID_IO}. */
    public static final int IO = 0x7FF1;
    /** {@code DOMID_XEN}. */
    public static final int XEN = 0x7FF2;
    /** {@code DOMID_INVALID}: no domain. */
    public static final int INVALID = 0x7FF4;
    /** {@code DOMID_IDLE}. */
    public static final int IDLE = 0x7FFF;

    private DomainId()
    {
    }

    /** Whether {@code domid} could name an ordinary domain (0 .. FIRST_RESERVED - 1). */
    public static boolean isOrdinary(final int domid)
    {
        return domid >= 0 && domid < FIRST_RESERVED;
    }
}
