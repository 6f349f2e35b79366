package io.pvio.hypervisor.xenstore;

import java.util.HashMap;
import java.util.List;
import java.util.function.Consumer;

/**
 * The node map of the store, or one transaction's view of it, with a count of nodes per owning domain (the node
 * quota). Not thread-safe: guarded by the {@link XenStore} lock.
 * <p>
 * A transaction's view ({@link #overlay}) holds only the nodes the transaction changed and reads every other node
 * through to the store, so starting a transaction costs O(1) whatever the size of the store (a guest starting
 * transactions in a loop on a big store must not cost a whole copy each time, under the store lock). Reads of
 * untouched nodes therefore see the store as it is now; {@link XsTransaction} records the generation of each node at
 * its first access and commit fails with EAGAIN if any of them changed, so a committed transaction is still
 * serialisable.
 */
final class XsTree
{
    /** Marks a path the overlay removed (it may still exist in the base). */
    private static final XsNode REMOVED = new XsNode(XsNode.EMPTY, XsPermissions.of(0, 'n'), List.of(), -1);

    private final XsTree base;
    private final HashMap<String, XsNode> nodes;
    private final HashMap<Integer, Integer> ownedCounts;

    XsTree()
    {
        base = null;
        nodes = new HashMap<>();
        ownedCounts = new HashMap<>();
        nodes.put(XsPaths.ROOT, new XsNode(XsNode.EMPTY, XsPermissions.of(0, 'n'), List.of(), 0));
    }

    private XsTree(final XsTree base)
    {
        this.base = base;
        nodes = new HashMap<>();
        ownedCounts = new HashMap<>();
    }

    /** A transaction's view: changes stay here, everything else reads through to this (live) tree. O(1). */
    XsTree overlay()
    {
        if (base != null)
        {
            throw new IllegalStateException("overlays do not nest");
        }
        return new XsTree(this);
    }

    /** Nodes this tree holds itself: for an overlay, only what its transaction changed or removed. */
    int ownNodeCount()
    {
        return nodes.size();
    }

    XsNode get(final String path)
    {
        final XsNode node = nodes.get(path);
        if (base == null || node == REMOVED)
        {
            return node == REMOVED ? null : node;
        }
        return node != null ? node : base.get(path);
    }

    /** Replaces or creates the node at {@code path}; the caller keeps parents' child lists consistent. */
    void put(final String path, final XsNode node)
    {
        final XsNode old = get(path);
        nodes.put(path, node);
        if (old != null)
        {
            ownedCounts.merge(old.perms().owner(), -1, Integer::sum);
        }
        ownedCounts.merge(node.perms().owner(), 1, Integer::sum);
    }

    void remove(final String path)
    {
        final XsNode old = get(path);
        if (base == null || base.get(path) == null)
        {
            nodes.remove(path);
        }
        else
        {
            nodes.put(path, REMOVED);
        }
        if (old != null)
        {
            ownedCounts.merge(old.perms().owner(), -1, Integer::sum);
        }
    }

    /** Nodes owned by {@code domid} (for an overlay: in the base plus the overlay's changes). */
    int ownedBy(final int domid)
    {
        final int own = ownedCounts.getOrDefault(domid, 0);
        return base == null ? own : base.ownedBy(domid) + own;
    }

    /** Visits {@code path} and its subtree, children before their parent. */
    void visitSubtree(final String path, final Consumer<String> visitor)
    {
        final XsNode node = get(path);
        if (node == null)
        {
            return;
        }
        for (final String child : node.children())
        {
            visitSubtree(XsPaths.child(path, child), visitor);
        }
        visitor.accept(path);
    }
}
