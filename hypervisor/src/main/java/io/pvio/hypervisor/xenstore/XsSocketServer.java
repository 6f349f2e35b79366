package io.pvio.hypervisor.xenstore;

import io.pvio.ring.xenstore.XsWireDescriptor;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The store's Unix-domain socket, speaking {@code xs_wire} like xenstored's {@code /run/xenstored/socket}: the real
 * {@code xenstore-*} clients work against it when {@code XENSTORED_PATH} names it. Socket clients act as a
 * privileged dom0 connection (access is governed by the socket file's permissions, as in Xen).
 * <p>
 * An Agrona {@link Agent}: each duty cycle accepts new clients, reads what each has sent, answers every complete
 * request, then queues its watch events, all non-blocking. A client whose replies are not being read stops being
 * served (its watch events wait in the store, bounded by the quota) until it reads; a client that sends garbage gets
 * {@code XS_ERROR}; a client that hangs up loses its watches and transactions.
 */
public final class XsSocketServer implements Agent, AutoCloseable
{
    private static final int OUTPUT_BYTES = 64 * 1024;

    private final XenStore store;
    private final Path socketPath;
    private final ServerSocketChannel server;
    private final int maxClients;
    private final List<Client> clients = new ArrayList<>();

    private XsSocketServer(final XenStore store, final Path socketPath, final int maxClients) throws IOException
    {
        this.store = store;
        this.socketPath = socketPath;
        this.maxClients = maxClients;
        Files.deleteIfExists(socketPath);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socketPath));
        server.configureBlocking(false);
    }

    /** Binds {@code socketPath} (replacing a stale socket file). Run the result on an {@code AgentRunner}. */
    public static XsSocketServer bind(final XenStore store, final Path socketPath, final int maxClients)
    {
        try
        {
            return new XsSocketServer(store, socketPath, maxClients);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot bind " + socketPath, ex);
        }
    }

    public Path socketPath()
    {
        return socketPath;
    }

    @Override
    public String roleName()
    {
        return "xenstored-socket";
    }

    @Override
    public int doWork() throws IOException
    {
        int work = acceptClients();
        for (int i = clients.size() - 1; i >= 0; i--)
        {
            final Client client = clients.get(i);
            try
            {
                work += client.serve();
            }
            catch (final IOException | RuntimeException ex)
            {
                // a broken client (or a bug on its behalf) costs only that client its connection
                client.closeQuietly();
            }
            if (client.closed)
            {
                clients.remove(i);
            }
        }
        return work;
    }

    private int acceptClients() throws IOException
    {
        int accepted = 0;
        SocketChannel channel;
        while ((channel = server.accept()) != null)
        {
            if (clients.size() >= maxClients)
            {
                channel.close();
                continue;
            }
            channel.configureBlocking(false);
            clients.add(new Client(channel, store.connect(0, true, "socket")));
            accepted++;
        }
        return accepted;
    }

    @Override
    public void onClose()
    {
        close();
    }

    /** Disconnects every client, closes and removes the socket. Idempotent. */
    @Override
    public void close()
    {
        for (final Client client : clients)
        {
            client.closeQuietly();
        }
        clients.clear();
        CloseHelper.quietClose(server);
        try
        {
            Files.deleteIfExists(socketPath);
        }
        catch (final IOException ignore)
        {
            // best effort: a stale socket file is replaced on the next bind
        }
    }

    private final class Client
    {
        private final SocketChannel channel;
        private final XsRequestHandler handler;
        private final XsStreamDecoder decoder = new XsStreamDecoder();
        private final ByteBuffer input = ByteBuffer.wrap(decoder.bytes);
        private final ByteBuffer output = ByteBuffer.allocate(OUTPUT_BYTES);
        private boolean closed;

        Client(final SocketChannel channel, final XsConnection connection)
        {
            this.channel = channel;
            this.handler = new XsRequestHandler(store, connection);
        }

        int serve() throws IOException
        {
            int work = flush();
            if (decoder.spaceBytes() > 0)
            {
                input.limit(decoder.bytes.length).position(decoder.filledBytes());
                final int read = channel.read(input);
                if (read < 0)
                {
                    closeQuietly();
                    return work + 1;
                }
                decoder.appended(read);
                work += read;
            }
            while (output.remaining() >= XsWireDescriptor.MESSAGE_MAX)
            {
                final int replyLength = decoder.next(handler);
                if (replyLength == 0)
                {
                    break;
                }
                queue(replyLength);
                work++;
            }
            work += queueEvents();
            return work + flush();
        }

        private int queueEvents()
        {
            int events = 0;
            while (output.remaining() >= XsWireDescriptor.MESSAGE_MAX)
            {
                final int length = handler.pollEvent();
                if (length == 0)
                {
                    break;
                }
                queue(length);
                events++;
            }
            return events;
        }

        private void queue(final int length)
        {
            handler.reply().getBytes(0, output, output.position(), length);
            output.position(output.position() + length);
        }

        private int flush() throws IOException
        {
            if (output.position() == 0)
            {
                return 0;
            }
            output.flip();
            final int written = channel.write(output);
            output.compact();
            return written;
        }

        void closeQuietly()
        {
            if (!closed)
            {
                closed = true;
                store.disconnect(handler.connection());
                CloseHelper.quietClose(channel);
            }
        }
    }
}
