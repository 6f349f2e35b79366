package io.pvio.ring.blkif;

import io.pvio.ring.RingEntryLayout;

/**
 * The blkif ring entry types ({@code DEFINE_RING_TYPES(blkif, struct blkif_request, struct blkif_response)}) of
 * each ABI. A slot is as long as the larger member, rounded up to the union's alignment.
 */
public final class BlkifRings
{
    /** x86_64: 112-byte slots; 32 per 4 KiB page, 512 for 16 pages. */
    public static final RingEntryLayout X86_64 = RingEntryLayout.of(
        "blkif", BlkifRequestDescriptor.LENGTH, BlkifResponseDescriptor.LENGTH, BlkifRequestDescriptor.ALIGNMENT);

    /** x86_32: 108-byte slots (12-byte responses); 32 per 4 KiB page, 512 for 16 pages. */
    public static final RingEntryLayout X86_32 = RingEntryLayout.of(
        "blkif-x86_32", BlkifX86_32RequestDescriptor.LENGTH, BlkifX86_32ResponseDescriptor.LENGTH,
        BlkifX86_32RequestDescriptor.ALIGNMENT);

    private BlkifRings()
    {
    }
}
