package io.pvio.hypervisor.domain;

/** Why a domain stopped ({@code SHUTDOWN_*} in {@code sched.h}). */
public enum ShutdownReason
{
    POWEROFF(0),
    REBOOT(1),
    SUSPEND(2),
    CRASH(3),
    WATCHDOG(4),
    SOFT_RESET(5);

    private static final ShutdownReason[] VALUES = values();

    private final int code;

    ShutdownReason(final int code)
    {
        this.code = code;
    }

    /** {@code SHUTDOWN_*}. */
    public int code()
    {
        return code;
    }

    /** The reason for a {@code SHUTDOWN_*} code, or {@code null} if there is none. */
    public static ShutdownReason ofCode(final int code)
    {
        return code >= 0 && code < VALUES.length ? VALUES[code] : null;
    }
}
