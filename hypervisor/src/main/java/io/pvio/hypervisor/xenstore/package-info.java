/**
 * XenStore: the hierarchical store through which domains find each other, with Xen's semantics, and its three ways
 * in, all backed by one {@link io.pvio.hypervisor.xenstore.XenStore}.
 * <p>
 * <b>Store.</b> Nodes have a value, children and permissions ({@link io.pvio.hypervisor.xenstore.XsPermissions}:
 * owner plus {@code r/w/b/n} per domain; privileged connections may do anything; a new node inherits its parent's
 * list and is owned by an unprivileged creator; a missing node is ENOENT only to a caller who may read its nearest
 * existing ancestor, EACCES otherwise; {@code mkdir} of an existing node needs write access and fires nothing).
 * Watches fire once on registration, then on every change at or below their path that the watcher may read ({@link io.pvio.hypervisor.xenstore.XsWatches}); {@code @introduceDomain}
 * and {@code @releaseDomain} are privileged. Transactions keep their changes in an overlay over the live tree
 * (O(1) to start, whatever the store's size) and remember each node's generation at first access (at most
 * {@code XsTransaction.MAX_TOUCHED_PATHS} for a guest); commit compares those with the store's, fails with EAGAIN
 * on any difference (optimistic, serialisable) and re-checks the node quota; open transactions die with their
 * connection. Only privileged connections change a node's owner. Quotas
 * ({@link io.pvio.hypervisor.xenstore.XsQuota}) bound nodes per domain, watches, transactions, value size and queued
 * events per connection. Relative paths resolve under {@code /local/domain/<id>}.
 * <p>
 * <b>Ways in.</b> {@link io.pvio.hypervisor.xenstore.XenStoreClient} in process (dom0, toolstack, in-process drivers);
 * {@link io.pvio.hypervisor.xenstore.XsDomainRingServer} for guests through their {@code xenstore_domain_interface}
 * page and event channel ({@link io.pvio.hypervisor.xenstore.XsGuestRing} is the guest's end); and
 * {@link io.pvio.hypervisor.xenstore.XsSocketServer}, a Unix-domain socket for Xen's own {@code xenstore-*} tools.
 * Both wire transports copy bytes into private memory, cut messages with one stream decoder and share one
 * {@link io.pvio.hypervisor.xenstore.XsRequestHandler}; anything malformed (bad length, missing NUL, bad path,
 * unknown type) gets {@code XS_ERROR}, and an oversized length is skipped so the stream stays in step.
 * <p>
 * <b>Threads.</b> One lock serialises the store (this is the control plane); the transports are Agrona agents;
 * watch events are queued per connection and pulled by the connection's owner, never called back under the lock;
 * an owner that sleeps between events registers a signal that the store runs, after queueing, to wake it.
 */
package io.pvio.hypervisor.xenstore;
