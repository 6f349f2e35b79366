package io.pvio.hypervisor.hypercall;

/**
 * A hypercall failed with a Xen errno. Thrown by control-path operations; the data-path operations (event send,
 * unmask, grant map, unmap and copy) return statuses instead so that they allocate nothing.
 */
public final class HypercallException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final XenErrno errno;
    private final HypercallOp op;

    /**
     * @param errno  the error, as Xen would return it.
     * @param op     the failing operation.
     * @param detail what was wrong, for people reading logs; the errno is the contract.
     */
    public HypercallException(final XenErrno errno, final HypercallOp op, final String detail)
    {
        super(op + ": " + errno + " (" + detail + ")");
        this.errno = errno;
        this.op = op;
    }

    public XenErrno errno()
    {
        return errno;
    }

    public HypercallOp op()
    {
        return op;
    }
}
