package io.pvio.hypervisor.xenstore;

import io.pvio.ring.xenstore.XsWireDescriptor;

/**
 * XenStore path rules: absolute paths start with {@code /}, relative ones resolve under the caller's home
 * {@code /local/domain/<domid>}; components use {@code [A-Za-z0-9_@-]}; no empty components, no trailing slash
 * (except the root); at most {@code XENSTORE_ABS_PATH_MAX} (3072) bytes absolute and
 * {@code XENSTORE_REL_PATH_MAX} (2048) relative. {@code @introduceDomain} and {@code @releaseDomain} are special
 * watch paths only.
 */
public final class XsPaths
{
    public static final String INTRODUCE_DOMAIN = "@introduceDomain";
    public static final String RELEASE_DOMAIN = "@releaseDomain";
    public static final String ROOT = "/";

    private XsPaths()
    {
    }

    /** {@code /local/domain/<domid>}. */
    public static String home(final int domid)
    {
        return "/local/domain/" + domid;
    }

    /** The absolute, validated form of {@code path} as seen by {@code domid}; EINVAL if malformed. */
    public static String resolve(final String path, final int domid)
    {
        if (path.isEmpty())
        {
            throw XsErrno.EINVAL.exception("empty path");
        }
        final boolean absolute = path.charAt(0) == '/';
        if (path.length() > (absolute ? XsWireDescriptor.ABS_PATH_MAX : XsWireDescriptor.REL_PATH_MAX))
        {
            throw XsErrno.EINVAL.exception("path too long");
        }
        final String full = absolute ? path : home(domid) + "/" + path;
        checkAbsolute(full);
        return full;
    }

    /** Validates an absolute path; EINVAL if malformed. */
    public static void checkAbsolute(final String path)
    {
        if (path.length() > XsWireDescriptor.ABS_PATH_MAX || path.isEmpty() || path.charAt(0) != '/')
        {
            throw XsErrno.EINVAL.exception("bad path");
        }
        if (path.length() == 1)
        {
            return;
        }
        char previous = '/';
        for (int i = 1; i < path.length(); i++)
        {
            final char c = path.charAt(i);
            if (c == '/' ? previous == '/' : !isPathChar(c))
            {
                throw XsErrno.EINVAL.exception("bad path character at " + i);
            }
            previous = c;
        }
        if (previous == '/')
        {
            throw XsErrno.EINVAL.exception("trailing slash");
        }
    }

    private static boolean isPathChar(final char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '@';
    }

    /** Whether {@code path} is a special watch path. */
    public static boolean isSpecial(final String path)
    {
        return INTRODUCE_DOMAIN.equals(path) || RELEASE_DOMAIN.equals(path);
    }

    /** The parent of a non-root absolute path. */
    public static String parent(final String path)
    {
        final int slash = path.lastIndexOf('/');
        return slash == 0 ? ROOT : path.substring(0, slash);
    }

    /** The last component of a non-root absolute path. */
    public static String name(final String path)
    {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** {@code parent/name}. */
    public static String child(final String parent, final String name)
    {
        return ROOT.equals(parent) ? "/" + name : parent + "/" + name;
    }

    /** Whether {@code path} is {@code ancestor} or below it, component-wise. */
    public static boolean isAtOrBelow(final String path, final String ancestor)
    {
        if (ROOT.equals(ancestor))
        {
            return path.charAt(0) == '/';
        }
        return path.startsWith(ancestor) && (path.length() == ancestor.length() || path.charAt(ancestor.length()) == '/');
    }
}
