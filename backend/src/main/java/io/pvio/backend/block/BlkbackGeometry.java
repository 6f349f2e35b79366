package io.pvio.backend.block;

import io.pvio.ring.blkif.BlkifConstants;
import io.pvio.hypervisor.xenbus.XenbusTransaction;

/**
 * The disk as blkback publishes it with Connected (blkif.h: {@code sectors}, {@code sector-size}, {@code info}).
 *
 * @param sectorCount     {@code sectors}: disk size in 512-byte units.
 * @param sectorSizeBytes {@code sector-size}: the logical sector size, 512 here.
 * @param info            {@code info}: {@code VDISK_*} bits ({@code VDISK_READONLY} for {@code mode=r}).
 */
public record BlkbackGeometry(long sectorCount, int sectorSizeBytes, int info)
{
    public static final String SECTORS = "sectors";
    public static final String SECTOR_SIZE = "sector-size";
    public static final String INFO = "info";

    public BlkbackGeometry
    {
        if (sectorCount <= 0 || sectorSizeBytes != BlkifConstants.SECTOR_SIZE_BYTES)
        {
            throw new IllegalArgumentException("bad geometry: " + sectorCount + " x " + sectorSizeBytes);
        }
    }

    public static BlkbackGeometry of(final BlockStorage storage, final boolean readOnly)
    {
        return new BlkbackGeometry(storage.sectorCount(), BlkifConstants.SECTOR_SIZE_BYTES,
            readOnly ? BlkifConstants.VDISK_READONLY : 0);
    }

    public boolean isReadOnly()
    {
        return (info & BlkifConstants.VDISK_READONLY) != 0;
    }

    public void write(final XenbusTransaction tx)
    {
        tx.write(SECTORS, sectorCount);
        tx.write(SECTOR_SIZE, sectorSizeBytes);
        tx.write(INFO, info);
    }
}
