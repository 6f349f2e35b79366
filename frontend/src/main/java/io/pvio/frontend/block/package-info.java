/**
 * blkfront: the guest side of Xen's block split driver ({@code vbd}), over the xenbus framework.
 * <ul>
 *   <li>API: {@link io.pvio.frontend.block.BlkfrontDevice}, asynchronous read, write, flush and discard by 512-byte
 *       sector into and out of {@link io.pvio.frontend.block.BlockBuffer}s in guest memory, completing a
 *       {@code CompletableFuture} or a {@link io.pvio.frontend.block.BlockCompletion}; and the blocking layer
 *       {@link io.pvio.frontend.block.BlkfrontBlockingDevice}.</li>
 *   <li>Control: {@link io.pvio.frontend.block.BlkfrontXenbus} (the {@code XenbusFrontendDriver}) with its typed
 *       readers of the back end's keys, {@link io.pvio.frontend.block.BlkfrontBackendFeatures} and
 *       {@link io.pvio.frontend.block.BlkfrontGeometry}.</li>
 *   <li>Data: {@code BlkfrontRing}, the shadow table of requests in flight on one ring: ids issued and checked,
 *       persistent pages or grants per request, one kick per batch. Requests survive a back-end restart and are
 *       issued again.</li>
 *   <li>Release: {@code DeferredGrantRelease}, guest-wide, ends the grants of dropped rings and gives their pages
 *       back once the back end unmaps them, backing off ({@code RetryBackoff}) while it does not.</li>
 * </ul>
 */
package io.pvio.frontend.block;

import io.pvio.hypervisor.xenbus.DeferredGrantRelease;
