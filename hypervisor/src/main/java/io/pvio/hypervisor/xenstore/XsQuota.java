package io.pvio.hypervisor.xenstore;

/**
 * Per-domain limits that keep a guest from exhausting the store. Privileged connections are exempt from the node,
 * watch and transaction limits (as in Xen: dom0's back ends watch every device they serve). Exceeding a limit answers {@code ENOSPC} (nodes, transactions), {@code E2BIG} (value size, watches);
 * watch events beyond {@code maxPendingEvents} for one connection are dropped (and counted).
 *
 * @param maxNodesPerDomain            nodes a domain may own.
 * @param maxWatchesPerConnection      watches one connection may hold.
 * @param maxTransactionsPerConnection open transactions one connection may hold.
 * @param maxValueBytes                largest value.
 * @param maxPendingEvents             watch events queued for one connection before new ones are dropped.
 */
public record XsQuota(
    int maxNodesPerDomain,
    int maxWatchesPerConnection,
    int maxTransactionsPerConnection,
    int maxValueBytes,
    int maxPendingEvents)
{
    /** Xen's defaults: 1000 nodes, 128 watches, 10 transactions, 2048-byte values; 1024 queued events. */
    public static XsQuota defaults()
    {
        return new XsQuota(1000, 128, 10, 2048, 1024);
    }
}
