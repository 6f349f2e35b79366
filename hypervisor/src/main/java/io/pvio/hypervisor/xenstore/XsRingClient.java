package io.pvio.hypervisor.xenstore;

import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.ring.xenstore.XsWireDescriptor;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A guest's {@link XenStoreAccess} over its own XenStore ring, as a Linux guest's {@code xenbus_xs}: each call
 * sends one {@code xs_wire} request, notifies dom0, and waits (with the given idle strategy, up to a deadline) for
 * the reply with its {@code req_id}; watch events that arrive meanwhile are queued (bounded) for
 * {@link #pollWatchEvents}. Single-threaded: use it from one agent, e.g. a {@code XenbusFrontendBus}.
 */
public final class XsRingClient implements XenStoreAccess
{
    private static final int MAX_QUEUED_EVENTS = 1024;

    private final XsGuestRing ring;
    private final Hypercalls hypercalls;
    private final int port;
    private final IdleStrategy idle;
    private final NanoClock clock;
    private final long timeoutNs;
    private final ArrayDeque<XsWatchEvent> events = new ArrayDeque<>();
    private int nextReqId = 1;

    /**
     * @param ring       the guest's end of its XenStore page.
     * @param hypercalls the guest's hypercalls, to notify dom0.
     * @param port       the guest's XenStore event channel port.
     * @param timeoutNs  how long a call waits for its reply before failing with EIO.
     */
    public XsRingClient(
        final XsGuestRing ring,
        final Hypercalls hypercalls,
        final int port,
        final IdleStrategy idle,
        final NanoClock clock,
        final long timeoutNs)
    {
        this.ring = ring;
        this.hypercalls = hypercalls;
        this.port = port;
        this.idle = idle;
        this.clock = clock;
        this.timeoutNs = timeoutNs;
    }

    @Override
    public int domid()
    {
        return hypercalls.domid();
    }

    @Override
    public String read(final int txId, final String path)
    {
        return new String(call(XsWireDescriptor.XS_READ, txId, strings(path)), StandardCharsets.UTF_8);
    }

    @Override
    public void write(final int txId, final String path, final String value)
    {
        final byte[] p = (path + '\0').getBytes(StandardCharsets.ISO_8859_1);
        final byte[] v = value.getBytes(StandardCharsets.UTF_8);
        final byte[] payload = new byte[p.length + v.length];
        System.arraycopy(p, 0, payload, 0, p.length);
        System.arraycopy(v, 0, payload, p.length, v.length);
        call(XsWireDescriptor.XS_WRITE, txId, payload);
    }

    @Override
    public void mkdir(final int txId, final String path)
    {
        call(XsWireDescriptor.XS_MKDIR, txId, strings(path));
    }

    @Override
    public void rm(final int txId, final String path)
    {
        call(XsWireDescriptor.XS_RM, txId, strings(path));
    }

    @Override
    public List<String> directory(final int txId, final String path)
    {
        return split(call(XsWireDescriptor.XS_DIRECTORY, txId, strings(path)));
    }

    @Override
    public boolean exists(final int txId, final String path)
    {
        try
        {
            call(XsWireDescriptor.XS_READ, txId, strings(path));
            return true;
        }
        catch (final XsException ex)
        {
            if (ex.errno() == XsErrno.ENOENT || ex.errno() == XsErrno.EACCES)
            {
                return false;
            }
            throw ex;
        }
    }

    @Override
    public int transactionStart()
    {
        final String id = new String(call(XsWireDescriptor.XS_TRANSACTION_START, 0, strings("")),
            StandardCharsets.ISO_8859_1);
        try
        {
            return Integer.parseInt(id.substring(0, Math.max(0, id.indexOf('\0'))));
        }
        catch (final NumberFormatException ex)
        {
            throw XsErrno.EIO.exception("bad transaction id from xenstored");
        }
    }

    @Override
    public void transactionEnd(final int txId, final boolean commit)
    {
        call(XsWireDescriptor.XS_TRANSACTION_END, txId, strings(commit ? "T" : "F"));
    }

    @Override
    public void watch(final String path, final String token)
    {
        call(XsWireDescriptor.XS_WATCH, 0, strings(path, token));
    }

    @Override
    public void unwatch(final String path, final String token)
    {
        call(XsWireDescriptor.XS_UNWATCH, 0, strings(path, token));
    }

    @Override
    public int pollWatchEvents(final Consumer<XsWatchEvent> handler, final int limit)
    {
        XsGuestRing.Reply reply;
        while (events.size() < MAX_QUEUED_EVENTS && (reply = ring.poll()) != null)
        {
            queueEvent(reply);
        }
        int count = 0;
        while (count < limit && !events.isEmpty())
        {
            handler.accept(events.poll());
            count++;
        }
        return count;
    }

    /** Nothing to release: the page and port belong to the guest's boot code. */
    @Override
    public void close()
    {
        events.clear();
    }

    private byte[] call(final int type, final int txId, final byte[] payload)
    {
        final int reqId = nextReqId++;
        if (!ring.send(type, reqId, txId, payload))
        {
            throw XsErrno.E2BIG.exception("request does not fit");
        }
        final long deadlineNs = clock.nanoTime() + timeoutNs;
        idle.reset();
        while (true)
        {
            if (ring.flush() > 0)
            {
                hypercalls.eventChannel().send(port);
            }
            final XsGuestRing.Reply reply = ring.poll();
            if (reply == null)
            {
                if (clock.nanoTime() - deadlineNs > 0)
                {
                    throw XsErrno.EIO.exception("no reply from xenstored");
                }
                idle.idle();
                continue;
            }
            if (reply.type() == XsWireDescriptor.XS_WATCH_EVENT)
            {
                queueEvent(reply);
            }
            else if (reply.reqId() == reqId)
            {
                if (reply.type() == XsWireDescriptor.XS_ERROR)
                {
                    throw errno(reply).exception(XsWireDescriptor.typeName(type));
                }
                return reply.payload();
            }
        }
    }

    private void queueEvent(final XsGuestRing.Reply reply)
    {
        if (reply.type() != XsWireDescriptor.XS_WATCH_EVENT || events.size() >= MAX_QUEUED_EVENTS)
        {
            return;
        }
        final List<String> parts = split(reply.payload());
        if (parts.size() >= 2)
        {
            events.add(new XsWatchEvent(parts.get(0), parts.get(1)));
        }
    }

    private static XsErrno errno(final XsGuestRing.Reply reply)
    {
        final String name = reply.text().replace("\0", "");
        for (final XsErrno errno : XsErrno.values())
        {
            if (errno.name().equals(name))
            {
                return errno;
            }
        }
        return XsErrno.EIO;
    }

    private static byte[] strings(final String... strings)
    {
        final StringBuilder text = new StringBuilder();
        for (final String s : strings)
        {
            text.append(s).append('\0');
        }
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static List<String> split(final byte[] payload)
    {
        final List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < payload.length; i++)
        {
            if (payload[i] == 0)
            {
                parts.add(new String(payload, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        return parts;
    }
}
