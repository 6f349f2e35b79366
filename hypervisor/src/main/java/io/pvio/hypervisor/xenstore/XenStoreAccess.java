package io.pvio.hypervisor.xenstore;

import java.util.List;
import java.util.function.Consumer;

/**
 * What a XenStore user needs, whichever way it reaches the store: in process ({@link XenStoreClient}) or, as a
 * guest, over its XenStore ring ({@link XsRingClient}). Methods taking a {@code txId} run inside that transaction
 * (0: none); failures are {@link XsException}s with Xen's errno. Single-threaded unless the implementation says
 * otherwise.
 */
public interface XenStoreAccess extends AutoCloseable
{
    /** How often {@link #transaction} retries on EAGAIN before giving up. */
    int MAX_TRANSACTION_ATTEMPTS = 64;

    /** A transaction body, given the transaction id. */
    @FunctionalInterface
    interface TransactionBody<T>
    {
        T run(int txId);
    }

    /** The domain this access acts as. */
    int domid();

    String read(int txId, String path);

    void write(int txId, String path, String value);

    void mkdir(int txId, String path);

    void rm(int txId, String path);

    List<String> directory(int txId, String path);

    boolean exists(int txId, String path);

    int transactionStart();

    void transactionEnd(int txId, boolean commit);

    void watch(String path, String token);

    void unwatch(String path, String token);

    /** Hands queued watch events to {@code handler}, at most {@code limit}. @return how many. */
    int pollWatchEvents(Consumer<XsWatchEvent> handler, int limit);

    /**
     * Runs {@code signal} whenever a watch event is queued for this connection (or dropped, its queue being full),
     * after {@link #pollWatchEvents} can take it, so that the owner may sleep until then instead of polling
     * (e.g. on an {@code EventIdleStrategy}, with {@code idle::signal}). The signal may run on any thread and under
     * the store's lock: it must be cheap, never block, never throw and never call the store. Set it before the owner
     * first sleeps. {@code null} for none.
     *
     * @return false if this access cannot signal (its events arrive only when polled): its owner must poll.
     */
    default boolean signalOnWatchEvent(final Runnable signal)
    {
        return false;
    }

    /** Drops this connection's watches and transactions. */
    @Override
    void close();

    /** The value, or {@code null} if the node does not exist. */
    default String readOrNull(final int txId, final String path)
    {
        try
        {
            return read(txId, path);
        }
        catch (final XsException ex)
        {
            if (ex.errno() == XsErrno.ENOENT)
            {
                return null;
            }
            throw ex;
        }
    }

    /**
     * Runs {@code body} in a transaction and commits, retrying the whole body on EAGAIN; aborts if it throws.
     *
     * @throws XsException EAGAIN after {@link #MAX_TRANSACTION_ATTEMPTS} conflicts, or the body's failure.
     */
    default <T> T transaction(final TransactionBody<T> body)
    {
        for (int attempt = 1; ; attempt++)
        {
            final int txId = transactionStart();
            final T result;
            try
            {
                result = body.run(txId);
            }
            catch (final RuntimeException ex)
            {
                transactionEnd(txId, false);
                throw ex;
            }
            try
            {
                transactionEnd(txId, true);
                return result;
            }
            catch (final XsException ex)
            {
                if (ex.errno() != XsErrno.EAGAIN || attempt >= MAX_TRANSACTION_ATTEMPTS)
                {
                    throw ex;
                }
            }
        }
    }
}
