package io.pvio.examples.demo.block;

/**
 * How the block demo went. Counts cover the I/O (from the first write to the last read); {@link #problem()} is
 * {@code null} when everything was verified.
 *
 * @param problem        what went wrong, or {@code null}.
 * @param requests       requests blkback answered.
 * @param kicksToDom0    the guest's EVTCHNOP_send calls (blkfront kicking blkback).
 * @param kicksToGuest   dom0's EVTCHNOP_send calls (blkback announcing responses).
 * @param eventsToDom0   events dom0's upcall delivered on the device's ports (pending bits taken).
 * @param eventsToGuest  events the guest's upcall delivered on the device's ports.
 * @param bytesWritten   bytes blkback wrote to the image.
 * @param bytesRead      bytes blkback read from the image.
 */
public record BlockDemoResult(
    String problem, long requests, long kicksToDom0, long kicksToGuest, long eventsToDom0, long eventsToGuest,
    long bytesWritten, long bytesRead)
{
    static BlockDemoResult failed(final String problem)
    {
        return new BlockDemoResult(problem, 0, 0, 0, 0, 0, 0, 0);
    }

    /** Whether every byte was verified and nothing went wrong. */
    public boolean verified()
    {
        return problem == null;
    }
}
