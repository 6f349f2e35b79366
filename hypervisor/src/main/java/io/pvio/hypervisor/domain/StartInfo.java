package io.pvio.hypervisor.domain;

/**
 * What a guest is told at boot ({@code start_info}): who it is and where the hypervisor-shared frames are in its
 * pseudo-physical space.
 *
 * @param domid          the domain's id.
 * @param vcpuCount      its vCPUs.
 * @param nrPages        frames in its initial reservation.
 * @param gfnCount       size of its pseudo-physical space.
 * @param sharedInfoGfn  the frame holding {@code shared_info}.
 * @param grantTableGfns the frames holding its grant table ({@code grant_entry_v1}, 512 per frame), in order.
 */
public record StartInfo(int domid, int vcpuCount, int nrPages, int gfnCount, long sharedInfoGfn, long[] grantTableGfns)
{
    public StartInfo
    {
        grantTableGfns = grantTableGfns.clone();
    }

    /** A copy of the grant table frames. */
    @Override
    public long[] grantTableGfns()
    {
        return grantTableGfns.clone();
    }

    /** Grant table frames. */
    public int grantTableFrameCount()
    {
        return grantTableGfns.length;
    }
}
