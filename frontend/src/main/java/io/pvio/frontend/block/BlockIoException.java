package io.pvio.frontend.block;

import io.pvio.ring.blkif.BlkifConstants;

import java.io.IOException;

/** A block request the back end answered with an error status (or that could not be issued). */
public final class BlockIoException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final int status;

    public BlockIoException(final int operation, final long sector, final int status)
    {
        super(BlkifConstants.operationName(operation) + " at sector " + Long.toUnsignedString(sector) +
            " failed with status " + status);
        this.status = status;
    }

    /** {@code BLKIF_RSP_ERROR} or {@code BLKIF_RSP_EOPNOTSUPP}. */
    public int status()
    {
        return status;
    }
}
