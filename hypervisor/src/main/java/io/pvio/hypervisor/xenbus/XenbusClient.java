package io.pvio.hypervisor.xenbus;

import io.pvio.hypervisor.xenstore.XenStoreAccess;

import java.util.function.Function;

/**
 * The small xenbus library over a XenStore connection: read and switch states, run typed reads and writes in a
 * transaction retried on EAGAIN, and watch the other end.
 */
public final class XenbusClient
{
    private final XenStoreAccess xs;

    public XenbusClient(final XenStoreAccess xs)
    {
        this.xs = xs;
    }

    public XenStoreAccess xs()
    {
        return xs;
    }

    /** The state published under {@code dir}; {@link XenbusState#UNKNOWN} if absent, unreadable or malformed. */
    public XenbusState readState(final String dir)
    {
        try
        {
            return XenbusState.parse(xs.readOrNull(0, dir + "/state"));
        }
        catch (final RuntimeException ex)
        {
            return XenbusState.UNKNOWN;
        }
    }

    /**
     * {@code xenbus_switch_state}: writes {@code dir/state} in its own transaction, unless the state node is gone
     * ({@link XenbusTransaction#hasState}: the device is being removed, and the write would create it again).
     *
     * @return whether the state was written.
     */
    public boolean switchState(final String dir, final XenbusState state)
    {
        return transaction(dir, tx ->
        {
            if (!tx.hasState())
            {
                return false;
            }
            tx.writeState(state);
            return true;
        });
    }

    /**
     * Runs {@code body} on {@code dir} in a transaction, retrying the whole body on EAGAIN. The body must only read
     * and write XenStore (it may run more than once).
     */
    public <T> T transaction(final String dir, final Function<XenbusTransaction, T> body)
    {
        return xs.transaction(txId -> body.apply(new XenbusTransaction(xs, txId, dir)));
    }

    /** Watches {@code path} (and its subtree) with {@code token}. */
    public void watch(final String path, final String token)
    {
        xs.watch(path, token);
    }

    public void unwatch(final String path, final String token)
    {
        xs.unwatch(path, token);
    }
}
