package io.pvio.hypervisor.xenstore;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * The in-process way in, for dom0, the toolstack and in-process drivers: one {@link XsConnection} acting as one
 * domain. Methods taking a {@code txId} run inside that transaction (0: none); failures are {@link XsException}s.
 * Watch events are queued and taken with {@link #pollWatchEvents} from the caller's own agent, never delivered
 * on another thread; {@link #signalOnWatchEvent} wakes that agent when there is one to take. Values are strings in
 * UTF-8 unless read or written as bytes.
 * <pre>{@code
 * try (XenStoreClient xs = new XenStoreClient(store, 0, true)) {
 *     xs.transaction(tx -> { xs.write(tx, "/local/domain/1/name", "guest"); return null; });
 * }
 * }</pre>
 */
public final class XenStoreClient implements XenStoreAccess
{
    private final XenStore store;
    private final XsConnection connection;

    public XenStoreClient(final XenStore store, final int domid, final boolean privileged)
    {
        this.store = store;
        this.connection = store.connect(domid, privileged, "client");
    }

    public XenStore store()
    {
        return store;
    }

    @Override
    public int domid()
    {
        return connection.domid();
    }

    public String read(final String path)
    {
        return read(0, path);
    }

    @Override
    public String read(final int txId, final String path)
    {
        return new String(store.read(connection, txId, path), StandardCharsets.UTF_8);
    }

    public byte[] readBytes(final int txId, final String path)
    {
        return store.read(connection, txId, path);
    }

    public void write(final String path, final String value)
    {
        write(0, path, value);
    }

    @Override
    public void write(final int txId, final String path, final String value)
    {
        store.write(connection, txId, path, value.getBytes(StandardCharsets.UTF_8));
    }

    public void writeBytes(final int txId, final String path, final byte[] value)
    {
        store.write(connection, txId, path, value);
    }

    @Override
    public void mkdir(final int txId, final String path)
    {
        store.mkdir(connection, txId, path);
    }

    @Override
    public void rm(final int txId, final String path)
    {
        store.rm(connection, txId, path);
    }

    @Override
    public List<String> directory(final int txId, final String path)
    {
        return store.directory(connection, txId, path);
    }

    @Override
    public boolean exists(final int txId, final String path)
    {
        return store.exists(connection, txId, path);
    }

    public XsPermissions getPerms(final int txId, final String path)
    {
        return store.getPerms(connection, txId, path);
    }

    public void setPerms(final int txId, final String path, final XsPermissions perms)
    {
        store.setPerms(connection, txId, path, perms);
    }

    @Override
    public int transactionStart()
    {
        return store.transactionStart(connection);
    }

    @Override
    public void transactionEnd(final int txId, final boolean commit)
    {
        store.transactionEnd(connection, txId, commit);
    }

    /** Registers a watch; an initial event is queued at once. */
    @Override
    public void watch(final String path, final String token)
    {
        store.watch(connection, path, token);
    }

    @Override
    public void unwatch(final String path, final String token)
    {
        store.unwatch(connection, path, token);
    }

    /** Hands queued watch events to {@code handler}, at most {@code limit}. @return how many. */
    @Override
    public int pollWatchEvents(final Consumer<XsWatchEvent> handler, final int limit)
    {
        int count = 0;
        XsWatchEvent event;
        while (count < limit && (event = store.pollEvent(connection)) != null)
        {
            handler.accept(event);
            count++;
        }
        return count;
    }

    /**
     * Runs {@code signal} after each watch event queued (or dropped) for this client, under the store's lock on the
     * thread that fired the watch ({@link XenStore#signalOnEvent}).
     *
     * @return true: the store signals.
     */
    @Override
    public boolean signalOnWatchEvent(final Runnable signal)
    {
        store.signalOnEvent(connection, signal);
        return true;
    }

    /** Watch events dropped because this client did not take them fast enough (its queue quota was full). */
    public long droppedWatchEvents()
    {
        return store.droppedEvents(connection);
    }

    /** {@code XS_INTRODUCE} (privileged). */
    public void introduceDomain(final int domid)
    {
        store.introduceDomain(connection, domid);
    }

    /** {@code XS_RELEASE} (privileged). */
    public void releaseDomain(final int domid)
    {
        store.releaseDomain(connection, domid);
    }

    /** Drops this client's watches and transactions. */
    @Override
    public void close()
    {
        store.disconnect(connection);
    }
}
