package io.pvio.examples.demo.block;

/** The demo found something wrong (data that does not match, a failed request, a timeout); the message says what. */
final class DemoFailure extends Exception
{
    private static final long serialVersionUID = 1L;

    DemoFailure(final String message)
    {
        super(message);
    }

    DemoFailure(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
