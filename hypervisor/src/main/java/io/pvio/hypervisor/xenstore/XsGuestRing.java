package io.pvio.hypervisor.xenstore;

import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.ring.grant.GrantEntryV1Descriptor;
import io.pvio.ring.xenstore.XenstoreDomainInterfaceFlyweight;
import io.pvio.ring.xenstore.XsMessageHeaderFlyweight;
import io.pvio.ring.xenstore.XsWireDescriptor;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

import static io.pvio.ring.xenstore.XsWireDescriptor.HEADER_LENGTH;

/**
 * A guest's end of its XenStore ring, as a Linux guest's {@code xenbus_comms}: frames {@code xs_wire} requests into
 * the {@code req} ring and reassembles replies and watch events from {@code rsp}. Non-blocking: {@link #send} queues
 * privately, {@link #flush} and {@link #poll} move what fits; the caller's agent drives both and notifies dom0
 * through the event channel after moving bytes. Single-threaded.
 * <p>
 * pvio's start info has no {@code store_mfn}/{@code store_evtchn} yet, so {@link #share} does the toolstack's part
 * from inside the guest: it zeroes the page, grants it to dom0 at {@code GNTTAB_RESERVED_XENSTORE} and allocates the
 * unbound port that the toolstack passes to {@link XsDomainRingServer#introduce}.
 */
public final class XsGuestRing
{
    /** One reply or watch event. */
    public record Reply(int type, int reqId, int txId, byte[] payload)
    {
        /** The payload as text with NULs as {@code '\0'}. */
        public String text()
        {
            return new String(payload, StandardCharsets.ISO_8859_1);
        }
    }

    private final XenstoreDomainInterfaceFlyweight page = new XenstoreDomainInterfaceFlyweight();
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[2 * XsWireDescriptor.MESSAGE_MAX]);
    private final UnsafeBuffer in = new UnsafeBuffer(new byte[XsWireDescriptor.MESSAGE_MAX]);
    private final XsMessageHeaderFlyweight header = new XsMessageHeaderFlyweight();
    private int outLength;
    private int inLength;

    public XsGuestRing(final AtomicBuffer storePage)
    {
        page.wrap(storePage, 0);
    }

    /**
     * Guest boot: zeroes {@code page}, grants it (frame {@code gfn}) to dom0 at the reserved XenStore reference and
     * allocates an unbound port for dom0.
     *
     * @return the port, for the toolstack to introduce the domain with.
     */
    public static int share(final AtomicBuffer storePage, final long gfn, final GrantAccess grants,
        final Hypercalls hypercalls)
    {
        storePage.setMemory(0, storePage.capacity(), (byte)0);
        grants.grantAccessAt(GrantEntryV1Descriptor.GNTTAB_RESERVED_XENSTORE, 0, gfn, false);
        return hypercalls.eventChannel().allocUnbound(0);
    }

    /** Queues one request. @return false if the private queue has no room for it (flush first). */
    public boolean send(final int type, final int reqId, final int txId, final byte[] payload)
    {
        if (payload.length > XsWireDescriptor.PAYLOAD_MAX || outLength + HEADER_LENGTH + payload.length > out.capacity())
        {
            return false;
        }
        header.wrap(out, outLength).set(type, reqId, txId, payload.length);
        out.putBytes(outLength + HEADER_LENGTH, payload);
        outLength += HEADER_LENGTH + payload.length;
        return true;
    }

    /** Queues a request whose payload is {@code strings}, each NUL-terminated. */
    public boolean send(final int type, final int reqId, final int txId, final String... strings)
    {
        final StringBuilder text = new StringBuilder();
        for (final String s : strings)
        {
            text.append(s).append('\0');
        }
        return send(type, reqId, txId, text.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Moves queued request bytes into the ring. @return bytes moved, or {@code RING_BROKEN}. */
    public int flush()
    {
        final int written = page.writeRequests(out, 0, outLength);
        if (written > 0)
        {
            out.putBytes(0, out, written, outLength - written);
            outLength -= written;
        }
        return written;
    }

    /** Reads what the ring holds and returns the next complete reply, or {@code null}. */
    public Reply poll()
    {
        final int read = page.readResponses(in, inLength, in.capacity() - inLength);
        if (read == XenstoreDomainInterfaceFlyweight.RING_BROKEN)
        {
            throw new IllegalStateException("xenstored published an impossible response index");
        }
        inLength += read;
        if (inLength < HEADER_LENGTH)
        {
            return null;
        }
        header.wrap(in, 0);
        final int len = header.len();
        if (!XsWireDescriptor.isValidPayloadLength(len))
        {
            throw new IllegalStateException("xenstored sent a payload of " + Integer.toUnsignedString(len));
        }
        if (inLength < HEADER_LENGTH + len)
        {
            return null;
        }
        final byte[] payload = new byte[len];
        in.getBytes(HEADER_LENGTH, payload);
        final Reply reply = new Reply(header.type(), header.reqId(), header.txId(), payload);
        in.putBytes(0, in, HEADER_LENGTH + len, inLength - HEADER_LENGTH - len);
        inLength -= HEADER_LENGTH + len;
        return reply;
    }

    /** {@code XENSTORE_ERROR_*} that xenstored reported in the page. */
    public int serverError()
    {
        return page.error();
    }

    /** The raw page, for tests that play a hostile guest. */
    public XenstoreDomainInterfaceFlyweight page()
    {
        return page;
    }
}
