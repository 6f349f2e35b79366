package io.pvio.hypervisor.xenstore;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The store: a tree of nodes with values, children and permissions, watches, optimistic (serialisable) transactions,
 * the special {@code @introduceDomain}/{@code @releaseDomain} watches and per-domain quotas. Every operation acts as
 * an {@link XsConnection} (see {@link #connect}); {@code txId} 0 means "no transaction". Errors are
 * {@link XsException}s carrying Xen's errno names.
 * <p>
 * Thread-safe: one lock serialises all operations (this is the control plane; the transports copy messages in and
 * out of shared memory outside it). Watch events are queued on the watcher's connection and taken with
 * {@link #pollEvent}; nothing calls back into client code under the lock but a connection's signal
 * ({@link #signalOnEvent}), which only wakes the connection's owner so that it sleeps between events.
 * <p>
 * Layout: {@code /local/domain/<id>} (each domain's home, where relative paths resolve), {@code /vm}, {@code /tool}.
 */
public final class XenStore
{
    private final XsQuota quota;
    private final XsTree tree = new XsTree();
    private final List<XsConnection> connections = new ArrayList<>();
    private final Set<Integer> introduced = new HashSet<>();
    private long generation;
    private int nextTxId = 1;
    private Runnable beforeCommit = () -> { };

    /** The node an operation named, which watches are matched against (not every internal node it touched). */
    record Fired(String path, XsPermissions perms, boolean removed)
    {
    }

    public XenStore(final XsQuota quota)
    {
        this.quota = quota;
        final XsConnection init = new XsConnection(0, true, "init");
        for (final String path : new String[] {"/local", "/local/domain", "/vm", "/tool"})
        {
            mkdir(init, 0, path);
        }
    }

    public XsQuota quota()
    {
        return quota;
    }

    /** A new connection acting as {@code domid}; {@code privileged} for dom0 and the local socket. */
    public synchronized XsConnection connect(final int domid, final boolean privileged, final String name)
    {
        final XsConnection connection = new XsConnection(domid, privileged, name);
        connections.add(connection);
        return connection;
    }

    /** Drops the connection's transactions, watches and queued events. Idempotent. */
    public synchronized void disconnect(final XsConnection connection)
    {
        connection.closed = true;
        connection.transactions.clear();
        connection.watches.clear();
        connection.events.clear();
        connection.eventSignal = null;
        connections.remove(connection);
    }

    // ---- nodes ----

    /** {@code XS_READ}: EACCES without read permission, ENOENT if absent. */
    public synchronized byte[] read(final XsConnection c, final int txId, final String path)
    {
        final Scope scope = scope(c, txId);
        return readable(scope, c, XsPaths.resolve(path, c.domid())).value().clone();
    }

    /** {@code XS_DIRECTORY}: the children's names, in creation order. */
    public synchronized List<String> directory(final XsConnection c, final int txId, final String path)
    {
        return readable(scope(c, txId), c, XsPaths.resolve(path, c.domid())).children();
    }

    /** The node's generation (for {@code XS_DIRECTORY_PART}), read-checked like {@link #directory}. */
    public synchronized long generation(final XsConnection c, final int txId, final String path)
    {
        return readable(scope(c, txId), c, XsPaths.resolve(path, c.domid())).generation();
    }

    /** {@code XS_GET_PERMS}. */
    public synchronized XsPermissions getPerms(final XsConnection c, final int txId, final String path)
    {
        return readable(scope(c, txId), c, XsPaths.resolve(path, c.domid())).perms();
    }

    /** Whether the node exists and {@code c} may read it. */
    public synchronized boolean exists(final XsConnection c, final int txId, final String path)
    {
        final Scope scope = scope(c, txId);
        final XsNode node = scope.lookup(XsPaths.resolve(path, c.domid()));
        return node != null && node.perms().canRead(c.domid(), c.isPrivileged());
    }

    /** {@code XS_WRITE}: creates missing parents; E2BIG above the value quota, ENOSPC above the node quota. */
    public synchronized void write(final XsConnection c, final int txId, final String path, final byte[] value)
    {
        if (value.length > quota.maxValueBytes() && !c.isPrivileged())
        {
            throw XsErrno.E2BIG.exception("value of " + value.length + " bytes");
        }
        final Scope scope = scope(c, txId);
        final String full = XsPaths.resolve(path, c.domid());
        final XsNode node = scope.lookup(full);
        if (node == null)
        {
            create(scope, c, full, value.clone());
        }
        else
        {
            requireWrite(node, c, full);
            scope.store(full, node.withValue(value.clone(), generation));
        }
        scope.finish(new Fired(full, scope.tree.get(full).perms(), false));
    }

    /** {@code XS_MKDIR}: creates the node (empty) and missing parents; no error if it exists. */
    public synchronized void mkdir(final XsConnection c, final int txId, final String path)
    {
        final Scope scope = scope(c, txId);
        final String full = XsPaths.resolve(path, c.domid());
        final XsNode existing = scope.lookup(full);
        if (existing != null)
        {
            // Xen do_mkdir: an existing node needs write access and is left alone (no change, so no watch event:
            // otherwise any guest could fire other domains' watches on their nodes, and probe for their existence)
            requireWrite(existing, c, full);
            return;
        }
        create(scope, c, full, XsNode.EMPTY);
        scope.finish(new Fired(full, scope.tree.get(full).perms(), false));
    }

    /** {@code XS_RM}: removes the node and its subtree; no error if absent but its parent exists. */
    public synchronized void rm(final XsConnection c, final int txId, final String path)
    {
        final Scope scope = scope(c, txId);
        final String full = XsPaths.resolve(path, c.domid());
        if (XsPaths.ROOT.equals(full))
        {
            throw XsErrno.EINVAL.exception("cannot remove /");
        }
        final XsNode node = scope.lookup(full);
        if (node == null)
        {
            if (scope.lookup(XsPaths.parent(full)) == null)
            {
                throw missing(scope, c, full, false);
            }
            requireWrite(scope.tree.get(XsPaths.parent(full)), c, XsPaths.parent(full));
            return;
        }
        requireWrite(node, c, full);
        scope.tree.visitSubtree(full, scope::delete);
        final String parentPath = XsPaths.parent(full);
        final XsNode parent = scope.lookup(parentPath);
        scope.store(parentPath, parent.withoutChild(XsPaths.name(full), generation));
        scope.finish(new Fired(full, node.perms(), true));
    }

    /** {@code XS_SET_PERMS}: only the owner or a privileged connection; EPERM otherwise. */
    public synchronized void setPerms(final XsConnection c, final int txId, final String path, final XsPermissions perms)
    {
        final Scope scope = scope(c, txId);
        final String full = XsPaths.resolve(path, c.domid());
        final XsNode node = scope.lookup(full);
        if (node == null)
        {
            throw XsErrno.ENOENT.exception(full);
        }
        if (!c.isPrivileged() && node.perms().owner() != c.domid())
        {
            throw XsErrno.EPERM.exception(full);
        }
        if (!c.isPrivileged() && perms.owner() != node.perms().owner())
        {
            // Xen do_set_perms: unprivileged domains may not change the owner (else a guest could move its nodes
            // off its own node quota, or onto another domain's and exhaust it)
            throw XsErrno.EPERM.exception("only a privileged domain may change the owner of " + full);
        }
        scope.store(full, node.withPerms(perms, generation));
        scope.finish(new Fired(full, perms, false));
    }

    // ---- transactions ----

    /** {@code XS_TRANSACTION_START}: ENOSPC above the per-connection quota. */
    public synchronized int transactionStart(final XsConnection c)
    {
        // Xen: the transaction and watch quotas bind unprivileged domains only
        if (!c.isPrivileged() && c.transactions.size() >= quota.maxTransactionsPerConnection())
        {
            throw XsErrno.ENOSPC.exception("too many transactions");
        }
        final int id = nextTxId;
        nextTxId = nextTxId == Integer.MAX_VALUE ? 1 : nextTxId + 1;
        c.transactions.put(id, new XsTransaction(id, tree.overlay(), !c.isPrivileged()));
        return id;
    }

    /**
     * {@code XS_TRANSACTION_END}: commits (or aborts); EAGAIN if a node the transaction touched changed meanwhile,
     * ENOENT for an unknown id. The transaction is gone afterwards either way.
     */
    public synchronized void transactionEnd(final XsConnection c, final int txId, final boolean commit)
    {
        final XsTransaction tx = c.transactions.remove(txId);
        if (tx == null)
        {
            throw XsErrno.ENOENT.exception("transaction " + txId);
        }
        if (!commit)
        {
            return;
        }
        if (tx.overflowed)
        {
            throw XsErrno.ENOSPC.exception("transaction " + txId + " accessed too many paths");
        }
        beforeCommit.run();
        for (final Map.Entry<String, Long> touched : tx.touched.entrySet())
        {
            final XsNode now = tree.get(touched.getKey());
            if ((now == null ? XsTransaction.ABSENT : now.generation()) != touched.getValue())
            {
                throw XsErrno.EAGAIN.exception("conflict on " + touched.getKey());
            }
        }
        if (!c.isPrivileged())
        {
            requireNodeQuotaAtCommit(c, tx);
        }
        final long commitGeneration = ++generation;
        for (final String path : tx.changed.keySet())
        {
            final XsNode node = tx.tree.get(path);
            if (node == null)
            {
                tree.remove(path);
            }
            else
            {
                tree.put(path, node.withGeneration(commitGeneration));
            }
        }
        for (final Fired fired : tx.fired.values())
        {
            fire(fired);
        }
    }

    // ---- watches ----

    /** {@code XS_WATCH}: queues one initial event; EEXIST for a duplicate, E2BIG above the quota. */
    public synchronized void watch(final XsConnection c, final String path, final String token)
    {
        final boolean special = XsPaths.isSpecial(path);
        if (special && !c.isPrivileged())
        {
            throw XsErrno.EACCES.exception(path);
        }
        final String full = special ? path : XsPaths.resolve(path, c.domid());
        for (final XsConnection.Watch w : c.watches)
        {
            if (w.path().equals(full) && w.token().equals(token))
            {
                throw XsErrno.EEXIST.exception(path);
            }
        }
        // Xen: unprivileged domains only (dom0's back ends hold one watch per device they serve)
        if (!c.isPrivileged() && c.watches.size() >= quota.maxWatchesPerConnection())
        {
            throw XsErrno.E2BIG.exception("too many watches");
        }
        c.watches.add(new XsConnection.Watch(full, token, !special && path.charAt(0) != '/'));
        enqueue(c, new XsWatchEvent(path, token));
    }

    /** {@code XS_UNWATCH}: ENOENT if no such watch. */
    public synchronized void unwatch(final XsConnection c, final String path, final String token)
    {
        final String full = XsPaths.isSpecial(path) ? path : XsPaths.resolve(path, c.domid());
        if (!c.watches.removeIf(w -> w.path().equals(full) && w.token().equals(token)))
        {
            throw XsErrno.ENOENT.exception(path);
        }
    }

    /** {@code XS_RESET_WATCHES}: drops every watch and open transaction of the connection. */
    public synchronized void resetWatches(final XsConnection c)
    {
        c.watches.clear();
        c.transactions.clear();
    }

    /** Takes the connection's oldest queued watch event, or {@code null}. */
    public synchronized XsWatchEvent pollEvent(final XsConnection c)
    {
        return c.events.poll();
    }

    /**
     * Runs {@code signal} each time a watch event is queued for {@code c}, or dropped because its queue is full (a
     * drop happens only while events wait to be taken, so the owner still has one to take after it), so that the
     * connection's owner may sleep until there is an event instead of polling. The signal runs under this store's
     * lock, on whichever thread fired the watch, after the event can be taken with {@link #pollEvent}: it must be
     * cheap, never block, never throw and never call the store ({@code EventIdleStrategy::signal} qualifies). It runs
     * at once if events are queued already; {@code null} for none. Dropped with the connection.
     */
    public synchronized void signalOnEvent(final XsConnection c, final Runnable signal)
    {
        c.eventSignal = c.closed ? null : signal;
        if (!c.events.isEmpty())
        {
            c.signalEvent();
        }
    }

    /** Watch events dropped for this connection because its queue was full. */
    public synchronized long droppedEvents(final XsConnection c)
    {
        return c.droppedEvents;
    }

    // ---- domains ----

    /** {@code XS_GET_DOMAIN_PATH}. */
    public String domainPath(final int domid)
    {
        return XsPaths.home(domid);
    }

    /** {@code XS_INTRODUCE} (privileged): fires {@code @introduceDomain}. EEXIST if already introduced. */
    public synchronized void introduceDomain(final XsConnection c, final int domid)
    {
        requirePrivileged(c);
        if (!introduced.add(domid))
        {
            throw XsErrno.EEXIST.exception("dom" + domid);
        }
        fireSpecial(XsPaths.INTRODUCE_DOMAIN);
    }

    /** {@code XS_RELEASE} (privileged): closes the domain's connections, fires {@code @releaseDomain}. */
    public synchronized void releaseDomain(final XsConnection c, final int domid)
    {
        requirePrivileged(c);
        if (!introduced.remove(domid))
        {
            throw XsErrno.ENOENT.exception("dom" + domid);
        }
        for (final XsConnection other : new ArrayList<>(connections))
        {
            if (other.domid() == domid && !other.isPrivileged())
            {
                disconnect(other);
            }
        }
        fireSpecial(XsPaths.RELEASE_DOMAIN);
    }

    /** {@code XS_IS_DOMAIN_INTRODUCED}. */
    public synchronized boolean isIntroduced(final int domid)
    {
        return domid == 0 || introduced.contains(domid);
    }

    /** Nodes owned by {@code domid} (its quota use). */
    public synchronized int nodesOwnedBy(final int domid)
    {
        return tree.ownedBy(domid);
    }

    /**
     * Fault injection for tests: runs under the store lock just before each commit is checked for conflicts, and may
     * change the store (as the same thread) to force an EAGAIN.
     */
    synchronized void beforeCommit(final Runnable hook)
    {
        beforeCommit = hook;
    }

    // ---- internals ----

    private void create(final Scope scope, final XsConnection c, final String full, final byte[] value)
    {
        final String parentPath = XsPaths.parent(full);
        XsNode parent = scope.lookup(parentPath);
        if (parent == null)
        {
            create(scope, c, parentPath, XsNode.EMPTY);
            parent = scope.lookup(parentPath);
        }
        requireWrite(parent, c, parentPath);
        if (!c.isPrivileged() && scope.tree.ownedBy(c.domid()) >= quota.maxNodesPerDomain())
        {
            throw XsErrno.ENOSPC.exception("node quota of dom" + c.domid());
        }
        // Xen: a new node inherits its parent's permissions; an unprivileged creator owns it
        final XsPermissions perms = c.isPrivileged() ? parent.perms() : parent.perms().withOwner(c.domid());
        scope.store(full, new XsNode(value, perms, List.of(), generation));
        scope.store(parentPath, parent.withChild(XsPaths.name(full), generation));
    }

    /**
     * Each transaction checked the node quota against its own view; several open at once could each add up to the
     * quota, so the sum is checked again against the store as it is now.
     */
    private void requireNodeQuotaAtCommit(final XsConnection c, final XsTransaction tx)
    {
        int added = 0;
        for (final String path : tx.changed.keySet())
        {
            final XsNode before = tree.get(path);
            final XsNode after = tx.tree.get(path);
            added += (after != null && after.perms().owner() == c.domid() ? 1 : 0) -
                (before != null && before.perms().owner() == c.domid() ? 1 : 0);
        }
        if (added > 0 && tree.ownedBy(c.domid()) + added > quota.maxNodesPerDomain())
        {
            throw XsErrno.ENOSPC.exception("node quota of dom" + c.domid());
        }
    }

    private XsNode readable(final Scope scope, final XsConnection c, final String full)
    {
        final XsNode node = scope.lookup(full);
        if (node == null)
        {
            throw missing(scope, c, full, true);
        }
        if (!node.perms().canRead(c.domid(), c.isPrivileged()))
        {
            throw XsErrno.EACCES.exception(full);
        }
        return node;
    }

    /**
     * Xen {@code errno_from_parents}: ENOENT only if the caller may read (or, {@code read} false, write) the nearest
     * existing ancestor; EACCES otherwise, so a guest cannot probe which nodes exist in another domain's tree.
     */
    private static XsException missing(final Scope scope, final XsConnection c, final String full, final boolean read)
    {
        String ancestor = full;
        XsNode node = null;
        while (node == null && !XsPaths.ROOT.equals(ancestor))
        {
            ancestor = XsPaths.parent(ancestor);
            node = scope.tree.get(ancestor);
        }
        final boolean allowed = node != null && (read ? node.perms().canRead(c.domid(), c.isPrivileged()) :
            node.perms().canWrite(c.domid(), c.isPrivileged()));
        return allowed ? XsErrno.ENOENT.exception(full) : XsErrno.EACCES.exception(full);
    }

    private static void requireWrite(final XsNode node, final XsConnection c, final String full)
    {
        if (!node.perms().canWrite(c.domid(), c.isPrivileged()))
        {
            throw XsErrno.EACCES.exception(full);
        }
    }

    private static void requirePrivileged(final XsConnection c)
    {
        if (!c.isPrivileged())
        {
            throw XsErrno.EACCES.exception("privileged operation");
        }
    }

    private Scope scope(final XsConnection c, final int txId)
    {
        if (c.closed)
        {
            throw XsErrno.EINVAL.exception("connection closed");
        }
        if (txId == 0)
        {
            generation++;
            return new Scope(tree, null);
        }
        final XsTransaction tx = c.transactions.get(txId);
        if (tx == null)
        {
            throw XsErrno.ENOENT.exception("transaction " + txId);
        }
        return new Scope(tx.tree, tx);
    }

    private void fire(final Fired fired)
    {
        XsWatches.fire(connections, fired, quota.maxPendingEvents());
    }

    private void fireSpecial(final String special)
    {
        XsWatches.fireSpecial(connections, special, quota.maxPendingEvents());
    }

    private void enqueue(final XsConnection c, final XsWatchEvent event)
    {
        XsWatches.enqueue(c, event, quota.maxPendingEvents());
    }

    /** Where one operation reads and writes: the store itself (changes fire at once) or a transaction's copy. */
    private final class Scope
    {
        final XsTree tree;
        final XsTransaction tx;
        final LinkedHashMap<String, XsPermissions> changed;

        Scope(final XsTree tree, final XsTransaction tx)
        {
            this.tree = tree;
            this.tx = tx;
            this.changed = tx == null ? new LinkedHashMap<>() : tx.changed;
        }

        XsNode lookup(final String path)
        {
            if (tx != null)
            {
                tx.touch(path);
            }
            return tree.get(path);
        }

        void store(final String path, final XsNode node)
        {
            lookup(path);
            tree.put(path, node);
            changed.put(path, node.perms());
        }

        void delete(final String path)
        {
            final XsNode old = lookup(path);
            tree.remove(path);
            changed.put(path, old.perms());
        }

        void finish(final Fired fired)
        {
            if (tx == null)
            {
                fire(fired);
            }
            else
            {
                tx.fired.put(fired.path(), fired);
            }
        }
    }
}
