package io.pvio.hypervisor.memory;

import io.pvio.hypervisor.hypercall.XenErrno;

/**
 * A domain touched guest memory it does not have: a gfn outside its pseudo-physical space ({@code EINVAL}) or one
 * with no frame behind it ({@code EFAULT}). The Java analogue of a page fault; uncaught in guest code it crashes the
 * guest's own domain.
 */
public final class MemoryFaultException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final XenErrno errno;
    private final long gfn;

    public MemoryFaultException(final XenErrno errno, final long gfn, final String detail)
    {
        super(errno + " at gfn " + gfn + ": " + detail);
        this.errno = errno;
        this.gfn = gfn;
    }

    public XenErrno errno()
    {
        return errno;
    }

    public long gfn()
    {
        return gfn;
    }
}
