package io.pvio.examples.bench.ring;

/**
 * A blkif response (id, operation, status: the 16-byte wire response) as a mutable Java object for the
 * object-passing peers. Preallocated and cycled by index like {@link RequestMessage}.
 */
final class ResponseMessage
{
    long id;
    int operation;
    int status;

    void write(final RequestVerdict verdict)
    {
        id = verdict.id;
        operation = verdict.operation;
        status = verdict.status;
    }

    static ResponseMessage[] pool(final int count)
    {
        final ResponseMessage[] pool = new ResponseMessage[count];
        for (int i = 0; i < count; i++)
        {
            pool[i] = new ResponseMessage();
        }
        return pool;
    }
}
