package io.pvio.hypervisor.xenstore;

import io.pvio.ring.xenstore.XsMessageHeaderFlyweight;
import io.pvio.ring.xenstore.XsWireDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.pvio.ring.xenstore.XsWireDescriptor.HEADER_LENGTH;
import static io.pvio.ring.xenstore.XsWireDescriptor.PAYLOAD_MAX;

/**
 * The {@code xs_wire} codec of one connection, shared by the socket and the ring transports: decodes a request the
 * transport has already copied into private memory and checked for length, runs it against the {@link XenStore},
 * and encodes the reply (or the next watch event) into {@link #reply()}. Every malformed request (unknown type,
 * missing NULs, bad path, bad number) is answered with {@code XS_ERROR}, never an exception out of here.
 * <p>
 * Strings are decoded as ISO-8859-1 so tokens and values round-trip byte for byte; paths are then validated by
 * {@link XsPaths}. This is the control plane: the per-request strings it allocates are bounded by the 4 KiB payload.
 */
public final class XsRequestHandler
{
    private static final byte[] OK = "OK\0".getBytes(StandardCharsets.ISO_8859_1);

    private final XenStore store;
    private final XsConnection connection;
    private final UnsafeBuffer reply = new UnsafeBuffer(new byte[XsWireDescriptor.MESSAGE_MAX]);
    private final XsMessageHeaderFlyweight replyHeader = new XsMessageHeaderFlyweight().wrap(reply, 0);
    private final XsMessageHeaderFlyweight requestHeader = new XsMessageHeaderFlyweight();
    private int replyLength;
    private long errorCount;
    private long oversizedEvents;

    public XsRequestHandler(final XenStore store, final XsConnection connection)
    {
        this.store = store;
        this.connection = connection;
    }

    public XsConnection connection()
    {
        return connection;
    }

    /** The encoded reply of the last {@link #handle}/{@link #pollEvent}/{@link #error} call. */
    public DirectBuffer reply()
    {
        return reply;
    }

    /** Requests answered with {@code XS_ERROR} so far. */
    public long errorCount()
    {
        return errorCount;
    }

    /**
     * Handles one request: header at {@code offset}, payload after it, its length already checked to be at most
     * {@code XENSTORE_PAYLOAD_MAX}.
     *
     * @return the reply length in {@link #reply()}.
     */
    public int handle(final UnsafeBuffer message, final int offset)
    {
        requestHeader.wrap(message, offset);
        final int type = requestHeader.type();
        final int reqId = requestHeader.reqId();
        final int txId = requestHeader.txId();
        final byte[] payload = new byte[requestHeader.len()];
        message.getBytes(offset + HEADER_LENGTH, payload);
        try
        {
            replyLength = HEADER_LENGTH;
            dispatch(type, txId, payload);
            replyHeader.set(type, reqId, txId, replyLength - HEADER_LENGTH);
            return replyLength;
        }
        catch (final XsException ex)
        {
            return error(reqId, txId, ex.errno());
        }
    }

    /** Encodes an {@code XS_ERROR} reply. @return its length. */
    public int error(final int reqId, final int txId, final XsErrno errno)
    {
        errorCount++;
        replyLength = HEADER_LENGTH;
        appendString(errno.name());
        replyHeader.set(XsWireDescriptor.XS_ERROR, reqId, txId, replyLength - HEADER_LENGTH);
        return replyLength;
    }

    /** Encodes the connection's next queued watch event. @return its length, or 0 if none is queued. */
    public int pollEvent()
    {
        XsWatchEvent event;
        while ((event = store.pollEvent(connection)) != null)
        {
            // xs_wire.h: payload <= XENSTORE_PAYLOAD_MAX. A long token on a watch above a long path makes an event
            // that cannot be sent: drop it (bounded by the event queue) rather than throw out of the transport.
            if (event.path().length() + event.token().length() + 2 <= PAYLOAD_MAX)
            {
                replyLength = HEADER_LENGTH;
                appendString(event.path());
                appendString(event.token());
                replyHeader.set(XsWireDescriptor.XS_WATCH_EVENT, 0, 0, replyLength - HEADER_LENGTH);
                return replyLength;
            }
            oversizedEvents++;
        }
        return 0;
    }

    /** Watch events dropped because they would not fit in one message. */
    public long oversizedEvents()
    {
        return oversizedEvents;
    }

    private void dispatch(final int type, final int txId, final byte[] payload)
    {
        switch (type)
        {
            case XsWireDescriptor.XS_READ -> appendBytes(store.read(connection, txId, single(payload)));
            case XsWireDescriptor.XS_DIRECTORY -> directory(txId, single(payload));
            case XsWireDescriptor.XS_DIRECTORY_PART -> directoryPart(txId, strings(payload, 2));
            case XsWireDescriptor.XS_GET_PERMS -> store.getPerms(connection, txId, single(payload)).toEntries()
                .forEach(this::appendString);
            case XsWireDescriptor.XS_WRITE -> write(txId, payload);
            case XsWireDescriptor.XS_MKDIR -> ok(() -> store.mkdir(connection, txId, single(payload)));
            case XsWireDescriptor.XS_RM -> ok(() -> store.rm(connection, txId, single(payload)));
            case XsWireDescriptor.XS_SET_PERMS -> setPerms(txId, payload);
            case XsWireDescriptor.XS_WATCH -> watch(true, strings(payload, 2));
            case XsWireDescriptor.XS_UNWATCH -> watch(false, strings(payload, 2));
            case XsWireDescriptor.XS_RESET_WATCHES -> ok(() -> store.resetWatches(connection));
            case XsWireDescriptor.XS_TRANSACTION_START ->
                appendString(Integer.toString(store.transactionStart(connection)));
            case XsWireDescriptor.XS_TRANSACTION_END -> transactionEnd(txId, single(payload));
            case XsWireDescriptor.XS_GET_DOMAIN_PATH ->
                appendString(store.domainPath(XsPermissions.parseDomid(single(payload))));
            case XsWireDescriptor.XS_IS_DOMAIN_INTRODUCED ->
                appendString(store.isIntroduced(XsPermissions.parseDomid(single(payload))) ? "T" : "F");
            case XsWireDescriptor.XS_INTRODUCE ->
                ok(() -> store.introduceDomain(connection, XsPermissions.parseDomid(strings(payload, 3).get(0))));
            case XsWireDescriptor.XS_RELEASE ->
                ok(() -> store.releaseDomain(connection, XsPermissions.parseDomid(single(payload))));
            case XsWireDescriptor.XS_CONTROL, XsWireDescriptor.XS_RESUME, XsWireDescriptor.XS_SET_TARGET ->
                throw (connection.isPrivileged() ? XsErrno.ENOSYS : XsErrno.EACCES).exception("unsupported");
            default -> throw XsErrno.EINVAL.exception("unknown type " + type);
        }
    }

    private void directory(final int txId, final String path)
    {
        for (final String child : store.directory(connection, txId, path))
        {
            if (replyLength + child.length() + 1 > HEADER_LENGTH + PAYLOAD_MAX)
            {
                throw XsErrno.E2BIG.exception("directory too large, use XS_DIRECTORY_PART");
            }
            appendString(child);
        }
    }

    private void directoryPart(final int txId, final List<String> args)
    {
        final long offsetBytes = parseUnsigned(args.get(1));
        final long generation = store.generation(connection, txId, args.get(0));
        final List<String> children = store.directory(connection, txId, args.get(0));
        appendString(Long.toString(generation));
        long position = 0;
        boolean complete = true;
        for (final String child : children)
        {
            final long next = position + child.length() + 1;
            if (position >= offsetBytes)
            {
                if (replyLength + child.length() + 2 > HEADER_LENGTH + PAYLOAD_MAX)
                {
                    complete = false;
                    break;
                }
                appendString(child);
            }
            position = next;
        }
        if (complete)
        {
            appendString("");
        }
    }

    private void write(final int txId, final byte[] payload)
    {
        final int nul = indexOfNul(payload, 0);
        if (nul < 0)
        {
            throw XsErrno.EINVAL.exception("write without a path NUL");
        }
        final String path = new String(payload, 0, nul, StandardCharsets.ISO_8859_1);
        store.write(connection, txId, path, Arrays.copyOfRange(payload, nul + 1, payload.length));
        appendBytes(OK);
    }

    private void setPerms(final int txId, final byte[] payload)
    {
        final List<String> args = strings(payload, -1);
        if (args.size() < 2)
        {
            throw XsErrno.EINVAL.exception("set_perms needs a path and permissions");
        }
        store.setPerms(connection, txId, args.get(0), XsPermissions.parse(args.subList(1, args.size())));
        appendBytes(OK);
    }

    private void watch(final boolean add, final List<String> args)
    {
        if (add)
        {
            store.watch(connection, args.get(0), args.get(1));
        }
        else
        {
            store.unwatch(connection, args.get(0), args.get(1));
        }
        appendBytes(OK);
    }

    private void transactionEnd(final int txId, final String verdict)
    {
        if (!"T".equals(verdict) && !"F".equals(verdict))
        {
            throw XsErrno.EINVAL.exception("transaction end " + verdict);
        }
        store.transactionEnd(connection, txId, "T".equals(verdict));
        appendBytes(OK);
    }

    private void ok(final Runnable operation)
    {
        operation.run();
        appendBytes(OK);
    }

    private static String single(final byte[] payload)
    {
        return strings(payload, 1).get(0);
    }

    /** Exactly {@code count} NUL-terminated strings ({@code -1}: any number), nothing after; EINVAL otherwise. */
    static List<String> strings(final byte[] payload, final int count)
    {
        final List<String> result = new ArrayList<>(Math.max(count, 2));
        int start = 0;
        while (start < payload.length)
        {
            final int nul = indexOfNul(payload, start);
            if (nul < 0)
            {
                throw XsErrno.EINVAL.exception("string without NUL");
            }
            result.add(new String(payload, start, nul - start, StandardCharsets.ISO_8859_1));
            start = nul + 1;
        }
        if (count >= 0 && result.size() != count)
        {
            throw XsErrno.EINVAL.exception("expected " + count + " strings, got " + result.size());
        }
        return result;
    }

    private static int indexOfNul(final byte[] payload, final int from)
    {
        for (int i = from; i < payload.length; i++)
        {
            if (payload[i] == 0)
            {
                return i;
            }
        }
        return -1;
    }

    private static long parseUnsigned(final String text)
    {
        if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(ch -> ch >= '0' && ch <= '9'))
        {
            throw XsErrno.EINVAL.exception("number " + text);
        }
        return Long.parseLong(text);
    }

    private void appendString(final String text)
    {
        final int length = text.length();
        if (replyLength + length + 1 > HEADER_LENGTH + PAYLOAD_MAX)
        {
            throw XsErrno.E2BIG.exception("reply too large");
        }
        for (int i = 0; i < length; i++)
        {
            reply.putByte(replyLength + i, (byte)text.charAt(i));
        }
        reply.putByte(replyLength + length, (byte)0);
        replyLength += length + 1;
    }

    private void appendBytes(final byte[] bytes)
    {
        if (replyLength + bytes.length > HEADER_LENGTH + PAYLOAD_MAX)
        {
            throw XsErrno.E2BIG.exception("reply too large");
        }
        reply.putBytes(replyLength, bytes);
        replyLength += bytes.length;
    }
}
