package io.pvio.examples.bench.block;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * After the workloads, a cheap check that both paths really moved the data, so the benchmark cannot silently measure
 * broken I/O: PV reads of a few 4 KiB blocks and of 1 MiB ranges must equal native reads of the same bytes; a PV
 * write must be what a native read then finds; a native write must be what a PV read then finds.
 */
final class IntegrityCheck
{
    private static final int SAMPLE_BLOCKS = 8;
    private static final int MIB = 1 << 20;
    /** Patterns written by the check: apart from the slots' and the pre-fill's. */
    private static final long CHECK_STREAM = 1L << 41;

    private IntegrityCheck()
    {
    }

    /** @return what did not match; empty when every comparison held. */
    static List<String> run(final PvBlockPath pv, final NativeBlockPath nativeIo, final long imageBytes,
        final long seed) throws IOException, InterruptedException
    {
        final List<String> problems = new ArrayList<>();
        final RequestOffsets blocks = new RequestOffsets(BlockWorkload.RAND_READ_4K_QD1, imageBytes, seed ^ CHECK_STREAM);
        for (int i = 0; i < SAMPLE_BLOCKS; i++)
        {
            compareReads(pv, nativeIo, blocks.offsetBytes(i), BlockWorkload.BLOCK_BYTES, problems);
        }
        compareReads(pv, nativeIo, 0, MIB, problems);
        compareReads(pv, nativeIo, imageBytes - MIB, MIB, problems);

        final long pvBlock = blocks.offsetBytes(SAMPLE_BLOCKS);
        final byte[] pvBlockBytes = DataPattern.bytes(CHECK_STREAM, BlockWorkload.BLOCK_BYTES);
        pv.write(pvBlock, pvBlockBytes);
        expect("PV write of 4 KiB at " + pvBlock + ", read natively", pvBlockBytes,
            nativeIo.read(pvBlock, pvBlockBytes.length), problems);
        final long pvRange = imageBytes / 2 / MIB * MIB;
        final byte[] pvRangeBytes = DataPattern.bytes(CHECK_STREAM + 1, MIB);
        pv.write(pvRange, pvRangeBytes);
        expect("PV write of 1 MiB at " + pvRange + ", read natively", pvRangeBytes,
            nativeIo.read(pvRange, MIB), problems);

        final long nativeBlock = blocks.offsetBytes(SAMPLE_BLOCKS + 1);
        final byte[] nativeBlockBytes = DataPattern.bytes(CHECK_STREAM + 2, BlockWorkload.BLOCK_BYTES);
        nativeIo.write(nativeBlock, nativeBlockBytes);
        expect("native write of 4 KiB at " + nativeBlock + ", read through PV", nativeBlockBytes,
            pv.read(nativeBlock, nativeBlockBytes.length), problems);
        final long nativeRange = pvRange + MIB;
        final byte[] nativeRangeBytes = DataPattern.bytes(CHECK_STREAM + 3, MIB);
        nativeIo.write(nativeRange, nativeRangeBytes);
        expect("native write of 1 MiB at " + nativeRange + ", read through PV", nativeRangeBytes,
            pv.read(nativeRange, MIB), problems);
        return problems;
    }

    private static void compareReads(final PvBlockPath pv, final NativeBlockPath nativeIo, final long offsetBytes,
        final int length, final List<String> problems) throws IOException, InterruptedException
    {
        expect("PV read of " + length + " bytes at " + offsetBytes + " vs native", nativeIo.read(offsetBytes, length),
            pv.read(offsetBytes, length), problems);
    }

    private static void expect(final String what, final byte[] expected, final byte[] actual,
        final List<String> problems)
    {
        final int mismatch = Arrays.mismatch(expected, actual);
        if (mismatch >= 0)
        {
            problems.add(what + ": first difference at byte " + mismatch);
        }
    }
}
