package io.pvio.frontend.block;

/**
 * Called once per request, on the device's agent thread, when the back end answered (or the device closed):
 * do little here and never block on another request of the same device.
 */
@FunctionalInterface
public interface BlockCompletion
{
    /** @param status {@code BLKIF_RSP_OKAY}, {@code BLKIF_RSP_ERROR} or {@code BLKIF_RSP_EOPNOTSUPP}. */
    void onComplete(int status);
}
