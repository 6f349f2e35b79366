package io.pvio.hypervisor.xenstore;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The node map of the store or of one transaction's snapshot, with a count of nodes per owning domain (the node
 * quota). Not thread-safe: guarded by the {@link XenStore} lock. Copying is O(nodes), bounded by the quotas.
 */
final class XsTree
{
    private final HashMap<String, XsNode> nodes;
    private final HashMap<Integer, Integer> ownedCounts;

    XsTree()
    {
        nodes = new HashMap<>();
        ownedCounts = new HashMap<>();
        nodes.put(XsPaths.ROOT, new XsNode(XsNode.EMPTY, XsPermissions.of(0, 'n'), List.of(), 0));
    }

    private XsTree(final XsTree other)
    {
        nodes = new HashMap<>(other.nodes);
        ownedCounts = new HashMap<>(other.ownedCounts);
    }

    XsTree copy()
    {
        return new XsTree(this);
    }

    XsNode get(final String path)
    {
        return nodes.get(path);
    }

    /** Replaces or creates the node at {@code path}; the caller keeps parents' child lists consistent. */
    void put(final String path, final XsNode node)
    {
        final XsNode old = nodes.put(path, node);
        if (old != null)
        {
            ownedCounts.merge(old.perms().owner(), -1, Integer::sum);
        }
        ownedCounts.merge(node.perms().owner(), 1, Integer::sum);
    }

    void remove(final String path)
    {
        final XsNode old = nodes.remove(path);
        if (old != null)
        {
            ownedCounts.merge(old.perms().owner(), -1, Integer::sum);
        }
    }

    /** Nodes owned by {@code domid}. */
    int ownedBy(final int domid)
    {
        return ownedCounts.getOrDefault(domid, 0);
    }

    int size()
    {
        return nodes.size();
    }

    /** Visits {@code path} and its subtree, children before their parent. */
    void visitSubtree(final String path, final Consumer<String> visitor)
    {
        final XsNode node = nodes.get(path);
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

    Map<String, XsNode> view()
    {
        return nodes;
    }
}
