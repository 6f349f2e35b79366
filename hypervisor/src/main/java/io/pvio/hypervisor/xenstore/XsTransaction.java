package io.pvio.hypervisor.xenstore;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One open transaction: its view of the tree ({@link XsTree#overlay}: its own changes over the live store), the
 * generation each path had when the transaction first accessed it (-1: absent), and the paths it changed with the
 * permissions a watcher is checked against. Commit fails with EAGAIN if any accessed path changed in the store since.
 */
final class XsTransaction
{
    static final long ABSENT = -1;
    /**
     * Distinct paths an unprivileged transaction may access (Xen's {@code quota-trans-nodes} is 1024): each access is
     * remembered until the end, so without a bound a guest reading ever new paths in an open transaction would make
     * the server allocate without limit.
     */
    static final int MAX_TOUCHED_PATHS = 2048;

    final int id;
    final XsTree tree;
    final Map<String, Long> touched = new HashMap<>();
    final LinkedHashMap<String, XsPermissions> changed = new LinkedHashMap<>();
    final LinkedHashMap<String, XenStore.Fired> fired = new LinkedHashMap<>();
    private final boolean bounded;
    /** An operation hit {@link #MAX_TOUCHED_PATHS} part way: the view may be half changed, so it must not commit. */
    boolean overflowed;

    /** @param bounded whether {@link #MAX_TOUCHED_PATHS} applies (unprivileged connections). */
    XsTransaction(final int id, final XsTree view, final boolean bounded)
    {
        this.id = id;
        this.tree = view;
        this.bounded = bounded;
    }

    /** Records the snapshot generation of {@code path} the first time the transaction looks at it. */
    void touch(final String path)
    {
        if (!touched.containsKey(path))
        {
            if (bounded && touched.size() >= MAX_TOUCHED_PATHS)
            {
                overflowed = true;
                throw XsErrno.ENOSPC.exception("transaction accessed more than " + MAX_TOUCHED_PATHS + " paths");
            }
            final XsNode node = tree.get(path);
            touched.put(path, node == null ? ABSENT : node.generation());
        }
    }
}
