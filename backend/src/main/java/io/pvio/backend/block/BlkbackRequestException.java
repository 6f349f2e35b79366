package io.pvio.backend.block;

/** A request blkback answered with an error status, as reported (once per ring) to the error handler. */
public final class BlkbackRequestException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public BlkbackRequestException(final String message)
    {
        super(message);
    }
}
