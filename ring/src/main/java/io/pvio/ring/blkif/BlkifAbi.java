package io.pvio.ring.blkif;

import io.pvio.ring.RingEntryLayout;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The blkif ABI a front end speaks, named by the {@code protocol} key it writes to XenStore
 * ({@code xen/io/protocols.h}). It fixes the slot layout of the ring; a back end copies requests with
 * {@link BlkifRequest#copyFrom} and answers with {@link #writeResponse} whatever the ABI.
 */
public enum BlkifAbi
{
    /** {@code XEN_IO_PROTO_ABI_X86_64}: the native ABI of an x86_64 back end, assumed when the key is absent. */
    X86_64("x86_64-abi", BlkifRings.X86_64),
    /** {@code XEN_IO_PROTO_ABI_X86_32}: a 32-bit x86 front end. */
    X86_32("x86_32-abi", BlkifRings.X86_32);

    private final String protocol;
    private final RingEntryLayout layout;

    BlkifAbi(final String protocol, final RingEntryLayout layout)
    {
        this.protocol = protocol;
        this.layout = layout;
    }

    /** The XenStore {@code protocol} value, e.g. {@code x86_64-abi}. */
    public String protocol()
    {
        return protocol;
    }

    /** The ring entry layout of this ABI. */
    public RingEntryLayout layout()
    {
        return layout;
    }

    /** {@code sizeof(struct blkif_request)} in this ABI. */
    public int requestBytes()
    {
        return layout.requestBytes();
    }

    /** {@code sizeof(struct blkif_response)} in this ABI. */
    public int responseBytes()
    {
        return layout.responseBytes();
    }

    /**
     * The ABI named by a {@code protocol} value; {@code null} if pvio does not serve it (the back end then fails the
     * connection). A missing key means the back end's native ABI, {@link #X86_64}: callers decide that before.
     */
    public static BlkifAbi fromProtocol(final String protocol)
    {
        if (X86_64.protocol.equals(protocol))
        {
            return X86_64;
        }
        if (X86_32.protocol.equals(protocol))
        {
            return X86_32;
        }
        return null;
    }

    /**
     * Writes a whole response of this ABI, padding zeroed, at {@code offset} (the slot a back ring claimed).
     * Plain stores: the back ring's release store of rsp_prod publishes them.
     *
     * @param id        the request's id, as copied.
     * @param operation the request's operation, as copied.
     * @param status    a {@code BLKIF_RSP_*}.
     */
    public void writeResponse(
        final AtomicBuffer buffer, final int offset, final long id, final int operation, final int status)
    {
        if (this == X86_64)
        {
            BlkifResponseFlyweight.writeResponse(buffer, offset, id, operation, status);
        }
        else
        {
            BlkifX86_32ResponseFlyweight.writeResponse(buffer, offset, id, operation, status);
        }
    }
}
