package io.pvio.hypervisor.xenstore;

/** The errors XenStore answers with ({@code xsd_errors} in {@code xs_wire.h}), sent on the wire by name. */
public enum XsErrno
{
    EINVAL, EACCES, EEXIST, EISDIR, ENOENT, ENOMEM, ENOSPC, EIO, ENOTEMPTY, ENOSYS, EROFS, EBUSY, EAGAIN, EISCONN,
    E2BIG, EPERM;

    /** A cheap exception carrying this error. */
    public XsException exception(final String detail)
    {
        return new XsException(this, detail);
    }
}
