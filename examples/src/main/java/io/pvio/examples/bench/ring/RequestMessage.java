package io.pvio.examples.bench.ring;

/**
 * A blkif read/write request as a mutable Java object, for the peers that pass object references (JCTools, the
 * Disruptor, {@code ArrayBlockingQueue}). It carries the same fields as the 112-byte wire request: operation,
 * nr_segments, handle, id, sector_number and 11 segments of (gref, first_sect, last_sect).
 * <p>
 * Instances are preallocated and cycled by index; a request object is rewritten only after the response to its
 * previous use was consumed, which the front end's in-flight window guarantees.
 */
final class RequestMessage
{
    int operation;
    int nrSegments;
    int handle;
    long id;
    long sectorNumber;
    final int[] segmentGrefs = new int[BlkifWorkload.SEGMENTS];
    final int[] segmentFirstSectors = new int[BlkifWorkload.SEGMENTS];
    final int[] segmentLastSectors = new int[BlkifWorkload.SEGMENTS];

    static RequestMessage[] pool(final int count)
    {
        final RequestMessage[] pool = new RequestMessage[count];
        for (int i = 0; i < count; i++)
        {
            pool[i] = new RequestMessage();
        }
        return pool;
    }
}
