package io.pvio.hypervisor.xenstore;

import io.pvio.ring.xenstore.XsMessageHeaderFlyweight;
import io.pvio.ring.xenstore.XsWireDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.pvio.ring.xenstore.XsWireDescriptor.HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The wire codec, fed hostile input through the stream decoder a transport uses. */
class XsRequestHandlerTest
{
    private XenStore store;
    private XsRequestHandler handler;
    private XsStreamDecoder decoder;
    private final XsMessageHeaderFlyweight header = new XsMessageHeaderFlyweight();

    @BeforeEach
    void setUp()
    {
        store = new XenStore(XsQuota.defaults());
        handler = new XsRequestHandler(store, store.connect(1, false, "test"));
        decoder = new XsStreamDecoder();
        final XenStoreClient dom0 = new XenStoreClient(store, 0, true);
        dom0.mkdir(0, "/local/domain/1");
        dom0.setPerms(0, "/local/domain/1", XsPermissions.of(1, 'n'));
    }

    private void send(final int type, final int reqId, final int txId, final byte[] payload, final int declaredLen)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(decoder.bytes);
        header.wrap(buffer, decoder.filledBytes()).set(type, reqId, txId, declaredLen);
        decoder.appended(HEADER_LENGTH);
        buffer.putBytes(decoder.filledBytes(), payload);
        decoder.appended(payload.length);
    }

    private void send(final int type, final int reqId, final String payload)
    {
        final byte[] bytes = payload.getBytes(StandardCharsets.ISO_8859_1);
        send(type, reqId, 0, bytes, bytes.length);
    }

    /** Takes the next reply: "TYPE reqId payload" with NULs shown as '|'. */
    private String next()
    {
        final int length = decoder.next(handler);
        if (length == 0)
        {
            return "";
        }
        header.wrap(new UnsafeBuffer(new byte[length]), 0);
        handler.reply().getBytes(0, (UnsafeBuffer)header.buffer(), 0, length);
        final byte[] payload = new byte[header.len()];
        header.buffer().getBytes(HEADER_LENGTH, payload);
        return XsWireDescriptor.typeName(header.type()) + " " + header.reqId() + " " +
            new String(payload, StandardCharsets.ISO_8859_1).replace('\0', '|');
    }

    @Test
    void wellFormedRequestsAreAnswered()
    {
        send(XsWireDescriptor.XS_WRITE, 1, "data/x\0value");
        assertEquals("XS_WRITE 1 OK|", next());
        send(XsWireDescriptor.XS_READ, 2, "data/x\0");
        assertEquals("XS_READ 2 value", next());
        send(XsWireDescriptor.XS_DIRECTORY, 3, "data\0");
        assertEquals("XS_DIRECTORY 3 x|", next());
        send(XsWireDescriptor.XS_GET_PERMS, 4, "data/x\0");
        assertEquals("XS_GET_PERMS 4 n1|", next());
        send(XsWireDescriptor.XS_GET_DOMAIN_PATH, 5, "1\0");
        assertEquals("XS_GET_DOMAIN_PATH 5 /local/domain/1|", next());
        send(XsWireDescriptor.XS_WATCH, 6, "data\0tok\0");
        assertEquals("XS_WATCH 6 OK|", next());
        assertEquals(HEADER_LENGTH + "data\0tok\0".length(), handler.pollEvent());
    }

    @Test
    void directoryPartPagesAndTerminates()
    {
        send(XsWireDescriptor.XS_WRITE, 1, "d/a\0");
        next();
        send(XsWireDescriptor.XS_WRITE, 2, "d/bb\0");
        next();
        final long generation = store.generation(handler.connection(), 0, "d");
        send(XsWireDescriptor.XS_DIRECTORY_PART, 3, "d\0" + "0\0");
        assertEquals("XS_DIRECTORY_PART 3 " + generation + "|a|bb||", next());
        send(XsWireDescriptor.XS_DIRECTORY_PART, 4, "d\0" + "2\0");
        assertEquals("XS_DIRECTORY_PART 4 " + generation + "|bb||", next());
    }

    @Test
    void malformedRequestsGetXsErrorAndTheStreamStaysInStep()
    {
        send(999, 1, "x\0");
        assertEquals("XS_ERROR 1 EINVAL|", next());
        send(XsWireDescriptor.XS_READ, 2, "no-nul");
        assertEquals("XS_ERROR 2 EINVAL|", next());
        send(XsWireDescriptor.XS_READ, 3, "a\0b\0");
        assertEquals("XS_ERROR 3 EINVAL|", next());
        send(XsWireDescriptor.XS_READ, 4, "/" + "a".repeat(XsWireDescriptor.ABS_PATH_MAX) + "\0");
        assertEquals("XS_ERROR 4 EINVAL|", next());
        send(XsWireDescriptor.XS_WRITE, 5, "bad//path\0v");
        assertEquals("XS_ERROR 5 EINVAL|", next());
        send(XsWireDescriptor.XS_TRANSACTION_END, 6, "X\0");
        assertEquals("XS_ERROR 6 EINVAL|", next());
        send(XsWireDescriptor.XS_READ, 7, 77, "x\0".getBytes(StandardCharsets.ISO_8859_1), 2);
        assertEquals("XS_ERROR 7 ENOENT|", next());
        send(XsWireDescriptor.XS_SET_PERMS, 8, "x\0q9\0");
        assertEquals("XS_ERROR 8 EINVAL|", next());
        send(XsWireDescriptor.XS_GET_DOMAIN_PATH, 9, "99999999\0");
        assertEquals("XS_ERROR 9 EINVAL|", next());
        send(XsWireDescriptor.XS_INTRODUCE, 10, "2\0" + "5\0" + "7\0");
        assertEquals("XS_ERROR 10 EACCES|", next());
        send(XsWireDescriptor.XS_WATCH, 11, XsPaths.RELEASE_DOMAIN + "\0t\0");
        assertEquals("XS_ERROR 11 EACCES|", next());
        send(XsWireDescriptor.XS_READ, 12, "");
        assertEquals("XS_ERROR 12 EINVAL|", next());
        send(XsWireDescriptor.XS_WRITE, 13, "ok\0v");
        assertEquals("XS_WRITE 13 OK|", next());
        assertEquals(12, handler.errorCount());
    }

    @Test
    void oversizedLengthIsAnsweredAndItsPayloadSkipped()
    {
        final byte[] junk = new byte[100];
        send(XsWireDescriptor.XS_WRITE, 1, 0, junk, XsWireDescriptor.PAYLOAD_MAX + 1);
        assertEquals("XS_ERROR 1 E2BIG|", next());
        assertEquals("", next());
        // the rest of the declared 4097 bytes arrives, then a good request
        for (int sent = junk.length; sent < XsWireDescriptor.PAYLOAD_MAX + 1; sent += 1)
        {
            decoder.bytes[decoder.filledBytes()] = 'j';
            decoder.appended(1);
            if (decoder.spaceBytes() == 0)
            {
                assertEquals("", next());
            }
        }
        send(XsWireDescriptor.XS_READ, 2, "nothing\0");
        assertEquals("XS_ERROR 2 ENOENT|", next());
    }
}
