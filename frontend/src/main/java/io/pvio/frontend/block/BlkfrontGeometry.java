package io.pvio.frontend.block;

import io.pvio.hypervisor.xenbus.XenbusProtocolException;
import io.pvio.hypervisor.xenbus.XenbusTransaction;
import io.pvio.ring.blkif.BlkifConstants;

/**
 * The disk as blkback published it with Connected (blkif.h {@code sectors}, {@code sector-size}, {@code info}).
 * Untrusted: a missing size or a sector size other than 512 fails the connection.
 *
 * @param sectorCount {@code sectors}, in 512-byte units.
 * @param info        {@code info}: {@code VDISK_*} bits.
 */
public record BlkfrontGeometry(long sectorCount, int info)
{
    public static final String SECTORS = "sectors";
    public static final String SECTOR_SIZE = "sector-size";
    public static final String INFO = "info";

    public static BlkfrontGeometry parse(final XenbusTransaction backend)
    {
        // sectors is u64 in blkif.h; the byte size must fit a Java long
        final long sectors = backend.readLong(SECTORS, 1, Long.MAX_VALUE / BlkifConstants.SECTOR_SIZE_BYTES, -1);
        if (sectors < 0)
        {
            throw new XenbusProtocolException(backend.path(SECTORS) + " missing");
        }
        final int sectorSize = backend.readInt(SECTOR_SIZE, 512, 512, 512);
        if (sectorSize != BlkifConstants.SECTOR_SIZE_BYTES)
        {
            throw new XenbusProtocolException(backend.path(SECTOR_SIZE) + " unsupported: " + sectorSize);
        }
        return new BlkfrontGeometry(sectors, backend.readInt(INFO, 0, 0xFFFF, 0));
    }

    public boolean isReadOnly()
    {
        return (info & BlkifConstants.VDISK_READONLY) != 0;
    }
}
