package io.pvio.hypervisor.xenstore;

/** A XenStore operation failed with {@link #errno()}; on the wire it becomes an {@code XS_ERROR} reply. */
public final class XsException extends RuntimeException
{
    private static final long serialVersionUID = 1L;
    private final XsErrno errno;

    public XsException(final XsErrno errno, final String detail)
    {
        super(errno + ": " + detail, null, false, false);
        this.errno = errno;
    }

    public XsErrno errno()
    {
        return errno;
    }
}
