package io.pvio.hypervisor.grant;

/**
 * Per-operation grant statuses ({@code GNTST_*} in {@code grant_table.h}): 0 or negative, stored in each map, unmap
 * and copy element as Xen does (the hypercall itself succeeds; each element says how it went).
 */
public final class GrantStatus
{
    public static final int OKAY = 0;
    public static final int GENERAL_ERROR = -1;
    public static final int BAD_DOMAIN = -2;
    public static final int BAD_GNTREF = -3;
    public static final int BAD_HANDLE = -4;
    public static final int BAD_VIRT_ADDR = -5;
    public static final int BAD_DEV_ADDR = -6;
    public static final int NO_DEVICE_SPACE = -7;
    public static final int PERMISSION_DENIED = -8;
    public static final int BAD_PAGE = -9;
    public static final int BAD_COPY_ARG = -10;
    public static final int ADDRESS_TOO_BIG = -11;
    public static final int EAGAIN = -12;
    public static final int NO_SPACE = -13;

    private static final String[] MESSAGES =
    {
        "okay",
        "undefined error",
        "unrecognised domain id",
        "invalid grant reference",
        "invalid mapping handle",
        "invalid virtual address",
        "invalid device address",
        "no spare translation slot in the I/O MMU",
        "permission denied",
        "bad page",
        "copy arguments cross page boundary",
        "page address size too large",
        "operation not done; try again",
        "out of space",
    };

    private GrantStatus()
    {
    }

    /** Xen's message for a status ({@code GNTTABOP_error_msgs}). */
    public static String message(final int status)
    {
        final int index = -status;
        return index >= 0 && index < MESSAGES.length ? MESSAGES[index] : "unknown grant status " + status;
    }
}
