package io.pvio.ring.xenstore;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor.REQ_CONS_OFFSET;
import static io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor.REQ_PROD_OFFSET;
import static io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor.RING_SIZE;
import static io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor.RSP_CONS_OFFSET;
import static io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor.RSP_PROD_OFFSET;
import static org.junit.jupiter.api.Assertions.assertEquals;

class XenstoreDomainInterfaceFlyweightTest
{
    private final UnsafeBuffer page = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final XenstoreDomainInterfaceFlyweight guest = new XenstoreDomainInterfaceFlyweight().wrap(page, 0);
    private final XenstoreDomainInterfaceFlyweight server = new XenstoreDomainInterfaceFlyweight().wrap(page, 0);

    private void startIndicesAt(final int index)
    {
        for (final int offset : new int[] {REQ_CONS_OFFSET, REQ_PROD_OFFSET, RSP_CONS_OFFSET, RSP_PROD_OFFSET})
        {
            page.putInt(offset, index);
        }
    }

    @Test
    void bytesCrossTheRingEndAndTheIndexWrap()
    {
        startIndicesAt(-700);
        final UnsafeBuffer src = new UnsafeBuffer(new byte[3000]);
        for (int i = 0; i < 3000; i++)
        {
            src.putByte(i, (byte)i);
        }
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[3000]);
        int sent = 0;
        int received = 0;
        while (received < 3000)
        {
            sent += guest.writeRequests(src, sent, 3000 - sent);
            received += server.readRequests(dst, received, 3000 - received);
        }
        for (int i = 0; i < 3000; i++)
        {
            assertEquals((byte)i, dst.getByte(i));
        }
        assertEquals(-700 + 3000, page.getInt(REQ_CONS_OFFSET));
        assertEquals(0, guest.writeResponses(src, 0, 0));
    }

    @Test
    void fullRingTakesNoMoreAndImpossibleIndicesAreRefused()
    {
        startIndicesAt(Integer.MAX_VALUE - 10);
        final UnsafeBuffer src = new UnsafeBuffer(new byte[2 * RING_SIZE]);
        assertEquals(RING_SIZE, guest.writeRequests(src, 0, 2 * RING_SIZE));
        assertEquals(0, guest.writeRequests(src, 0, 1));
        page.putInt(REQ_PROD_OFFSET, page.getInt(REQ_CONS_OFFSET) + RING_SIZE + 1);
        assertEquals(XenstoreDomainInterfaceFlyweight.RING_BROKEN,
            server.readRequests(new UnsafeBuffer(new byte[10]), 0, 10));
        page.putInt(RSP_CONS_OFFSET, page.getInt(RSP_PROD_OFFSET) + 1);
        assertEquals(XenstoreDomainInterfaceFlyweight.RING_BROKEN, server.writeResponses(src, 0, 1));
    }
}
