package io.pvio.hypervisor.xenstore;

import io.pvio.ring.xenstore.XsWireDescriptor;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Raw xs_wire over the socket: garbage, oversized lengths, clients that hang up or never read. */
// socket reads block: a lost reply must fail the test, not hang the build (the reads are interruptible)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class XsSocketServerTest
{
    @TempDir
    Path dir;

    private XenStore store;
    private XsSocketServer server;
    private AgentRunner runner;
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start()
    {
        store = new XenStore(XsQuota.defaults());
        server = XsSocketServer.bind(store, dir.resolve("s"), 8);
        runner = new AgentRunner(new SleepingMillisIdleStrategy(1), errors::add, null, server);
        AgentRunner.startOnThread(runner);
    }

    @AfterEach
    void stop()
    {
        runner.close();
    }

    private SocketChannel connect() throws IOException
    {
        return SocketChannel.open(UnixDomainSocketAddress.of(server.socketPath()));
    }

    private static void send(final SocketChannel channel, final int type, final int reqId, final int txId,
        final byte[] payload, final int declaredLen) throws IOException
    {
        final ByteBuffer message = ByteBuffer.allocate(16 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        message.putInt(type).putInt(reqId).putInt(txId).putInt(declaredLen).put(payload).flip();
        while (message.hasRemaining())
        {
            channel.write(message);
        }
    }

    private static void send(final SocketChannel channel, final int type, final int reqId, final int txId,
        final String payload) throws IOException
    {
        final byte[] bytes = payload.getBytes(StandardCharsets.ISO_8859_1);
        send(channel, type, reqId, txId, bytes, bytes.length);
    }

    /** "TYPE reqId payload", NULs as '|'. */
    private static String receive(final SocketChannel channel) throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, header);
        final int type = header.getInt(0);
        final ByteBuffer payload = ByteBuffer.allocate(header.getInt(12));
        readFully(channel, payload);
        return XsWireDescriptor.typeName(type) + " " + header.getInt(4) + " " +
            new String(payload.array(), StandardCharsets.ISO_8859_1).replace('\0', '|');
    }

    private static void readFully(final SocketChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                throw new IOException("closed by the server");
            }
        }
    }

    @Test
    void garbageAndOversizedMessagesGetErrorsAndTheConnectionGoesOn() throws IOException
    {
        try (SocketChannel channel = connect())
        {
            send(channel, 12345, 1, 0, "whatever\0");
            assertEquals("XS_ERROR 1 EINVAL|", receive(channel));
            send(channel, XsWireDescriptor.XS_WRITE, 2, 0, new byte[6000], 6000);
            assertEquals("XS_ERROR 2 E2BIG|", receive(channel));
            send(channel, XsWireDescriptor.XS_READ, 3, 999, "/tool\0");
            assertEquals("XS_ERROR 3 ENOENT|", receive(channel));
            send(channel, XsWireDescriptor.XS_WRITE, 4, 0, "/tool/ok\0fine");
            assertEquals("XS_WRITE 4 OK|", receive(channel));
        }
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void hangingUpDropsTheOpenTransaction() throws IOException
    {
        try (SocketChannel channel = connect())
        {
            send(channel, XsWireDescriptor.XS_TRANSACTION_START, 1, 0, "\0");
            final String started = receive(channel);
            final int txId = Integer.parseInt(started.substring("XS_TRANSACTION_START 1 ".length()).replace("|", ""));
            send(channel, XsWireDescriptor.XS_WRITE, 2, txId, "/tool/in-tx\0v");
            assertEquals("XS_WRITE 2 OK|", receive(channel));
        }
        try (SocketChannel channel = connect())
        {
            send(channel, XsWireDescriptor.XS_READ, 3, 0, "/tool/in-tx\0");
            assertEquals("XS_ERROR 3 ENOENT|", receive(channel));
        }
    }

    @Test
    void aClientThatNeverReadsDoesNotStallOthers() throws IOException
    {
        final XenStoreClient dom0 = new XenStoreClient(store, 0, true);
        try (SocketChannel lazy = connect(); SocketChannel busy = connect())
        {
            send(lazy, XsWireDescriptor.XS_WATCH, 1, 0, "/\0all\0");
            // the watch is in place (its reply and initial event read) before the churn; from here on the lazy
            // client reads nothing while 3,000 events are produced for it
            assertEquals("XS_WATCH 1 OK|", receive(lazy));
            assertEquals("XS_WATCH_EVENT 0 /|all|", receive(lazy));
            for (int i = 0; i < 3000; i++)
            {
                dom0.write("/tool/churn", Integer.toString(i));
            }
            send(busy, XsWireDescriptor.XS_READ, 2, 0, "/tool/churn\0");
            assertEquals("XS_READ 2 2999", receive(busy));
            // the lazy client finally reads: its events in order, the excess dropped by quota
            assertEquals("XS_WATCH_EVENT 0 /tool/churn|all|", receive(lazy));
        }
    }
}
