package io.pvio.hypervisor.xenbus;

import io.pvio.hypervisor.xenstore.XenStoreAccess;
import io.pvio.hypervisor.xenstore.XsErrno;
import io.pvio.hypervisor.xenstore.XsException;

/**
 * Typed access to one directory inside one XenStore transaction ({@code xenbus_gather} / {@code xenbus_printf}):
 * keys are relative to the directory. Values from the other end are untrusted: the typed readers return the given
 * default for a missing key and throw {@link XenbusProtocolException} for a malformed or out-of-range one.
 */
public final class XenbusTransaction
{
    private final XenStoreAccess client;
    private final int txId;
    private final String dir;

    XenbusTransaction(final XenStoreAccess client, final int txId, final String dir)
    {
        this.client = client;
        this.txId = txId;
        this.dir = dir;
    }

    /** The directory keys are relative to. */
    public String dir()
    {
        return dir;
    }

    /** The same transaction on another directory (e.g. the other end's). */
    public XenbusTransaction at(final String otherDir)
    {
        return new XenbusTransaction(client, txId, otherDir);
    }

    public String path(final String key)
    {
        return dir + "/" + key;
    }

    /** The value, or {@code null} if absent. */
    public String read(final String key)
    {
        return client.readOrNull(txId, path(key));
    }

    /** A decimal in {@code [min, max]}, {@code defaultValue} if absent. */
    public long readLong(final String key, final long min, final long max, final long defaultValue)
    {
        final String text = read(key);
        if (text == null)
        {
            return defaultValue;
        }
        if (text.isEmpty() || text.length() > 19)
        {
            throw new XenbusProtocolException(path(key) + ": not a number: " + text);
        }
        final long value;
        try
        {
            value = Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new XenbusProtocolException(path(key) + ": not a number: " + text);
        }
        if (value < min || value > max)
        {
            throw new XenbusProtocolException(path(key) + " = " + value + " outside [" + min + ", " + max + "]");
        }
        return value;
    }

    /** A decimal int in {@code [min, max]}, {@code defaultValue} if absent. */
    public int readInt(final String key, final int min, final int max, final int defaultValue)
    {
        return (int)readLong(key, min, max, defaultValue);
    }

    /** A {@code 0}/{@code 1} feature flag, {@code defaultValue} if absent. */
    public boolean readFlag(final String key, final boolean defaultValue)
    {
        return readLong(key, 0, 1, defaultValue ? 1 : 0) == 1;
    }

    public void write(final String key, final String value)
    {
        client.write(txId, path(key), value);
    }

    public void write(final String key, final long value)
    {
        write(key, Long.toString(value));
    }

    public void writeFlag(final String key, final boolean value)
    {
        write(key, value ? "1" : "0");
    }

    /** Removes the key if present. */
    public void remove(final String key)
    {
        try
        {
            client.rm(txId, path(key));
        }
        catch (final XsException ex)
        {
            if (ex.errno() != XsErrno.ENOENT)
            {
                throw ex;
            }
        }
    }

    public XenbusState readState()
    {
        return XenbusState.parse(read("state"));
    }

    /**
     * Whether the directory still has its {@code state} node. The toolstack writes it when it creates a device and
     * removes it with the device, so its absence means the device is being removed; a write then would create the
     * directory again (XenStore creates missing parents) and leave a device nobody removes. As Linux's
     * {@code xenbus_switch_state}, callers check this in the transaction that writes: the read makes the commit fail
     * with EAGAIN if the toolstack removes the directory in between, and the retry sees it gone.
     */
    public boolean hasState()
    {
        return read("state") != null;
    }

    public void writeState(final XenbusState state)
    {
        write("state", state.text());
    }
}
