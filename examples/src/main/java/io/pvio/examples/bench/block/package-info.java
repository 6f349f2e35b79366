/**
 * {@code pvio bench block} ({@link io.pvio.examples.bench.block.BlockBenchCommand}): six block workloads
 * ({@link io.pvio.examples.bench.block.BlockWorkload}) through the PV path (blkfront, blkif ring, blkback over an
 * image file: {@code PvBlockPath}) and directly with {@code FileChannel} on the same file with blkback's concurrency
 * ({@code NativeBlockPath}), in one run ({@link io.pvio.examples.bench.block.BlockBenchRunner}), with an integrity
 * check across the paths at the end; {@link io.pvio.examples.bench.block.BlockBenchReport} renders the table, the
 * JSON array and the Markdown report.
 */
package io.pvio.examples.bench.block;
