package io.pvio.examples.bench.ring;

/**
 * A back end's private copy of what it needs to answer one request: the id and operation it read, and the status it
 * decided. Filled once per request by {@link BlkifWorkload}; reused, never shared.
 */
final class RequestVerdict
{
    long id;
    int operation;
    int status;

    void record(final long id, final int operation, final int status)
    {
        this.id = id;
        this.operation = operation;
        this.status = status;
    }
}
