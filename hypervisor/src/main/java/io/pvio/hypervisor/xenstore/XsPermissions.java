package io.pvio.hypervisor.xenstore;

import java.util.ArrayList;
import java.util.List;

/**
 * A node's permissions: the first entry names the owner and the access every domain without its own entry gets;
 * further entries grant one domain {@code r}ead, {@code w}rite, {@code b}oth or {@code n}one. The owner and
 * privileged domains may always read and write. Textual form as on the wire: {@code "n0"}, {@code "r5"}.
 *
 * @param modes  one of {@code r w b n} per entry.
 * @param domids the domain of each entry; {@code domids[0]} is the owner.
 */
public record XsPermissions(char[] modes, int[] domids)
{
    /** Largest number of entries accepted. */
    public static final int MAX_ENTRIES = 64;

    public XsPermissions
    {
        if (modes.length == 0 || modes.length != domids.length || modes.length > MAX_ENTRIES)
        {
            throw XsErrno.EINVAL.exception("bad permission list");
        }
        modes = modes.clone();
        domids = domids.clone();
    }

    /** Owner {@code owner}, everyone else {@code defaultMode}. */
    public static XsPermissions of(final int owner, final char defaultMode)
    {
        return new XsPermissions(new char[] {checkMode(defaultMode)}, new int[] {owner});
    }

    /** Parses wire entries such as {@code "n0", "r5"}; EINVAL on anything malformed. */
    public static XsPermissions parse(final List<String> entries)
    {
        if (entries.isEmpty() || entries.size() > MAX_ENTRIES)
        {
            throw XsErrno.EINVAL.exception("permission count " + entries.size());
        }
        final char[] modes = new char[entries.size()];
        final int[] domids = new int[entries.size()];
        for (int i = 0; i < modes.length; i++)
        {
            final String entry = entries.get(i);
            if (entry.length() < 2 || entry.length() > 6)
            {
                throw XsErrno.EINVAL.exception("permission " + entry);
            }
            modes[i] = checkMode(entry.charAt(0));
            domids[i] = parseDomid(entry.substring(1));
        }
        return new XsPermissions(modes, domids);
    }

    /** A domid in 0..65535 in decimal; EINVAL otherwise. */
    public static int parseDomid(final String text)
    {
        if (text.isEmpty() || text.length() > 5)
        {
            throw XsErrno.EINVAL.exception("domid " + text);
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                throw XsErrno.EINVAL.exception("domid " + text);
            }
            value = value * 10 + (c - '0');
        }
        if (value > 0xFFFF)
        {
            throw XsErrno.EINVAL.exception("domid " + text);
        }
        return value;
    }

    private static char checkMode(final char mode)
    {
        if (mode != 'r' && mode != 'w' && mode != 'b' && mode != 'n')
        {
            throw XsErrno.EINVAL.exception("permission mode " + mode);
        }
        return mode;
    }

    public int owner()
    {
        return domids[0];
    }

    @Override
    public char[] modes()
    {
        return modes.clone();
    }

    @Override
    public int[] domids()
    {
        return domids.clone();
    }

    /** The same list with the owner replaced (a new node inherits its parent's list, owned by its creator). */
    public XsPermissions withOwner(final int owner)
    {
        final int[] copy = domids.clone();
        copy[0] = owner;
        return new XsPermissions(modes, copy);
    }

    public boolean canRead(final int domid, final boolean privileged)
    {
        final char mode = modeFor(domid, privileged);
        return mode == 'r' || mode == 'b';
    }

    public boolean canWrite(final int domid, final boolean privileged)
    {
        final char mode = modeFor(domid, privileged);
        return mode == 'w' || mode == 'b';
    }

    private char modeFor(final int domid, final boolean privileged)
    {
        if (privileged || domid == domids[0])
        {
            return 'b';
        }
        for (int i = 1; i < domids.length; i++)
        {
            if (domids[i] == domid)
            {
                return modes[i];
            }
        }
        return modes[0];
    }

    /** The wire entries, e.g. {@code ["n0", "r5"]}. */
    public List<String> toEntries()
    {
        final List<String> entries = new ArrayList<>(modes.length);
        for (int i = 0; i < modes.length; i++)
        {
            entries.add(modes[i] + Integer.toString(domids[i]));
        }
        return entries;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof XsPermissions p && java.util.Arrays.equals(modes, p.modes) &&
            java.util.Arrays.equals(domids, p.domids);
    }

    @Override
    public int hashCode()
    {
        return 31 * java.util.Arrays.hashCode(modes) + java.util.Arrays.hashCode(domids);
    }

    @Override
    public String toString()
    {
        return String.join(",", toEntries());
    }
}
