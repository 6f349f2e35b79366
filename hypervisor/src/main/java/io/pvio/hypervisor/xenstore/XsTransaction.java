package io.pvio.hypervisor.xenstore;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One open transaction: a private copy of the tree taken at start (snapshot isolation), the generation each touched
 * path had in that snapshot (-1: absent), and the paths it changed with the permissions a watcher is checked
 * against. Commit fails with EAGAIN if any touched path changed in the store since.
 */
final class XsTransaction
{
    static final long ABSENT = -1;

    final int id;
    final XsTree tree;
    final Map<String, Long> touched = new HashMap<>();
    final LinkedHashMap<String, XsPermissions> changed = new LinkedHashMap<>();
    final LinkedHashMap<String, XenStore.Fired> fired = new LinkedHashMap<>();

    XsTransaction(final int id, final XsTree snapshot)
    {
        this.id = id;
        this.tree = snapshot;
    }

    /** Records the snapshot generation of {@code path} the first time the transaction looks at it. */
    void touch(final String path)
    {
        if (!touched.containsKey(path))
        {
            final XsNode node = tree.get(path);
            touched.put(path, node == null ? ABSENT : node.generation());
        }
    }
}
