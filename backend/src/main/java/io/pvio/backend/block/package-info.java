/**
 * blkback: the dom0 side of Xen's block split driver ({@code vbd}), over the xenbus framework.
 * <ul>
 *   <li>Control: {@link io.pvio.backend.block.BlkbackXenbus} (the {@code XenbusBackendDriver}) with its typed
 *       negotiation records {@link io.pvio.backend.block.BlkbackFeatures} (advertised with InitWait),
 *       {@link io.pvio.backend.block.BlkbackFrontendDetails} (the front end's keys and the toolstack's
 *       {@code mode}, validated) and {@link io.pvio.backend.block.BlkbackGeometry} (published with Connected).</li>
 *   <li>Data: {@link io.pvio.backend.block.BlkbackRing}, one Agrona agent per ring: drain in batches, copy each
 *       request once, validate the copy, grant-copy through {@link io.pvio.backend.block.BlkbackBouncePages}
 *       (or, with persistent grants, move data through kept mappings: storage reads and writes machine-contiguous
 *       pages in place), perform, answer, notify once per batch; a bogus producer index halts that ring only.</li>
 *   <li>Storage: {@link io.pvio.backend.block.BlockStorage}, with a raw image file
 *       ({@link io.pvio.backend.block.FileImageStorage}) and memory ({@link io.pvio.backend.block.MemoryStorage}).</li>
 * </ul>
 * The wire layouts are {@code io.pvio.ring.blkif}'s.
 */
package io.pvio.backend.block;
