package io.pvio.examples.bench.block;

/** Deterministic, incompressible bytes: what the pre-fill and the writes put on the disk. */
final class DataPattern
{
    private DataPattern()
    {
    }

    /** {@code length} bytes from {@code stream}: the same stream always gives the same bytes. */
    static byte[] bytes(final long stream, final int length)
    {
        final byte[] bytes = new byte[length];
        long state = RequestOffsets.splitMix64(stream);
        for (int i = 0; i < length; i += Long.BYTES)
        {
            state = RequestOffsets.splitMix64(state);
            for (int b = 0; b < Long.BYTES && i + b < length; b++)
            {
                bytes[i + b] = (byte)(state >>> (8 * b));
            }
        }
        return bytes;
    }
}
