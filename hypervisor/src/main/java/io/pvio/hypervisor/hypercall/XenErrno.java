package io.pvio.hypervisor.hypercall;

/**
 * Xen's error numbers ({@code xen/errno.h}); a failed hypercall returns the negated value. Only the values a guest
 * can see are listed ({@code EINTR} and {@code ERESTART} are internal to Xen).
 */
public enum XenErrno
{
    EPERM(1),
    ENOENT(2),
    ESRCH(3),
    EIO(5),
    ENXIO(6),
    E2BIG(7),
    ENOEXEC(8),
    EBADF(9),
    ECHILD(10),
    EAGAIN(11),
    ENOMEM(12),
    EACCES(13),
    EFAULT(14),
    EBUSY(16),
    EEXIST(17),
    EXDEV(18),
    ENODEV(19),
    ENOTDIR(20),
    EISDIR(21),
    EINVAL(22),
    ENFILE(23),
    EMFILE(24),
    ENOSPC(28),
    EROFS(30),
    EMLINK(31),
    EDOM(33),
    ERANGE(34),
    EDEADLK(35),
    ENAMETOOLONG(36),
    ENOLCK(37),
    ENOSYS(38),
    ENOTEMPTY(39),
    ENODATA(61),
    ETIME(62),
    EBADMSG(74),
    EOVERFLOW(75),
    EILSEQ(84),
    ENOTSOCK(88),
    EMSGSIZE(90),
    EOPNOTSUPP(95),
    EADDRINUSE(98),
    EADDRNOTAVAIL(99),
    ENOBUFS(105),
    EISCONN(106),
    ENOTCONN(107),
    ETIMEDOUT(110),
    ECONNREFUSED(111);

    private static final XenErrno[] BY_CODE = new XenErrno[112];

    static
    {
        for (final XenErrno errno : values())
        {
            BY_CODE[errno.code] = errno;
        }
    }

    private final int code;

    XenErrno(final int code)
    {
        this.code = code;
    }

    /** The positive errno value, as in {@code xen/errno.h}. */
    public int code()
    {
        return code;
    }

    /** The value a hypercall returns for this error: {@code -code()}. */
    public int negated()
    {
        return -code;
    }

    /**
     * The errno for a positive code or a negated hypercall return value.
     *
     * @return the errno, or {@code null} if the value names none.
     */
    public static XenErrno of(final int codeOrNegated)
    {
        final int code = Math.abs(codeOrNegated);
        return code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
