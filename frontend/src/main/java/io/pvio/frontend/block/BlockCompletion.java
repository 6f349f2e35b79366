package io.pvio.frontend.block;

/**
 * Called once per request, on the device's agent thread, when the back end answered (or the device closed):
 * do little here and never block on another request of the same device. Whatever it throws goes to the device's
 * error handler and the device goes on, except a {@link VirtualMachineError} (out of memory, stack overflow), which
 * stops the device: every request not completed then fails, and later ones fail at once.
 */
@FunctionalInterface
public interface BlockCompletion
{
    /** @param status {@code BLKIF_RSP_OKAY}, {@code BLKIF_RSP_ERROR} or {@code BLKIF_RSP_EOPNOTSUPP}. */
    void onComplete(int status);
}
