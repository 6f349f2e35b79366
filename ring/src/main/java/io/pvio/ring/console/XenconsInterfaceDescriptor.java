package io.pvio.ring.console;

/**
 * Layout of {@code struct xencons_interface} ({@code xen/io/console.h}, Xen 4.17): the console page, two byte rings
 * and their four free-running indices. It is not an sring: no header, no slots, just bytes.
 *
 * <pre>
 *  +---------------------------------------------------------------+
 *  | in[1024]   console daemon -&gt; guest (keyboard input)           |    0
 *  +---------------------------------------------------------------+
 *  | out[2048]  guest -&gt; console daemon (console output)           | 1024
 *  +---------------+---------------+---------------+---------------+
 *  | in_cons u32   | in_prod u32   | out_cons u32  | out_prod u32  | 3072
 *  +---------------+---------------+---------------+---------------+
 *                                                                    3088
 * </pre>
 *
 * <ul>
 *   <li>Indices ({@code XENCONS_RING_IDX}, u32) run freely and wrap at 2<sup>32</sup>; byte i of a ring is at
 *       {@code MASK_XENCONS_IDX(i, ring)} = i &amp; (ring length - 1).</li>
 *   <li>in_prod and out_cons are written by the console daemon (back end), in_cons and out_prod by the guest.</li>
 *   <li>0 &lt;= prod - cons &lt;= ring length (wrapping subtraction); anything else is a hostile or broken peer.
 *   </li>
 *   <li>Both ring lengths are powers of two.</li>
 * </ul>
 */
public final class XenconsInterfaceDescriptor
{
    public static final int IN_OFFSET = 0;
    public static final int IN_LENGTH = 1024;
    public static final int OUT_OFFSET = 1024;
    public static final int OUT_LENGTH = 2048;
    public static final int IN_CONS_OFFSET = 3072;
    public static final int IN_PROD_OFFSET = 3076;
    public static final int OUT_CONS_OFFSET = 3080;
    public static final int OUT_PROD_OFFSET = 3084;
    /** {@code sizeof(struct xencons_interface)}. */
    public static final int LENGTH = 3088;

    private XenconsInterfaceDescriptor()
    {
    }

    /** {@code MASK_XENCONS_IDX}: position of free-running {@code index} in a ring of {@code ringLength} bytes. */
    public static int maskIndex(final int index, final int ringLength)
    {
        return index & (ringLength - 1);
    }

    /** Bytes between {@code cons} and {@code prod}, or -1 if that is impossible for a ring of {@code ringLength}. */
    public static int usedBytes(final int prod, final int cons, final int ringLength)
    {
        final int used = prod - cons;
        return Integer.compareUnsigned(used, ringLength) > 0 ? -1 : used;
    }

    /** The page holds the whole interface, 4-byte aligned for the index atomics. */
    public static void checkRegion(final int offset, final int capacityBytes)
    {
        if (offset < 0 || (offset & 3) != 0 || (long)offset + LENGTH > capacityBytes)
        {
            throw new IllegalArgumentException("xencons_interface of " + LENGTH + " bytes must start 4-byte aligned " +
                "inside a buffer of " + capacityBytes + " bytes: offset " + offset);
        }
    }
}
