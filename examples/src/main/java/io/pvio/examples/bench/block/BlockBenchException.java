package io.pvio.examples.bench.block;

/** The benchmark could not produce trustworthy figures: an I/O error, a driver error or an integrity mismatch. */
public final class BlockBenchException extends Exception
{
    private static final long serialVersionUID = 1L;

    public BlockBenchException(final String message)
    {
        super(message);
    }

    public BlockBenchException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
