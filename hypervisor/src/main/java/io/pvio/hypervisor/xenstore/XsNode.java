package io.pvio.hypervisor.xenstore;

import java.util.ArrayList;
import java.util.List;

/**
 * One immutable node: value, permissions, the names of its children in creation order, and the store generation of
 * its last change (used to detect transaction conflicts and for {@code XS_DIRECTORY_PART}).
 */
record XsNode(byte[] value, XsPermissions perms, List<String> children, long generation)
{
    static final byte[] EMPTY = new byte[0];

    XsNode withValue(final byte[] newValue, final long newGeneration)
    {
        return new XsNode(newValue, perms, children, newGeneration);
    }

    XsNode withPerms(final XsPermissions newPerms, final long newGeneration)
    {
        return new XsNode(value, newPerms, children, newGeneration);
    }

    XsNode withGeneration(final long newGeneration)
    {
        return new XsNode(value, perms, children, newGeneration);
    }

    XsNode withChild(final String name, final long newGeneration)
    {
        final List<String> copy = new ArrayList<>(children.size() + 1);
        copy.addAll(children);
        copy.add(name);
        return new XsNode(value, perms, List.copyOf(copy), newGeneration);
    }

    XsNode withoutChild(final String name, final long newGeneration)
    {
        final List<String> copy = new ArrayList<>(children);
        copy.remove(name);
        return new XsNode(value, perms, List.copyOf(copy), newGeneration);
    }
}
