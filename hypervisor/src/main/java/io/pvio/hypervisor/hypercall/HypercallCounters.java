package io.pvio.hypervisor.hypercall;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many hypercalls of each {@link HypercallOp} one domain has made, failed ones included. Any of the domain's
 * vCPUs may count at once, so each count is an atomic increment (no allocation); dom0 reads them through
 * {@code DOMCTL_GET_HYPERCALL_COUNTS}.
 */
public final class HypercallCounters
{
    private final AtomicLongArray counts = new AtomicLongArray(HypercallOp.valuesShared().length);

    /** Counts one call of {@code op}. */
    public void increment(final HypercallOp op)
    {
        counts.getAndIncrement(op.ordinal());
    }

    /** Calls of {@code op} so far. */
    public long count(final HypercallOp op)
    {
        return counts.get(op.ordinal());
    }

    /** Sum over all operations. */
    public long total()
    {
        long total = 0;
        for (int i = 0; i < counts.length(); i++)
        {
            total += counts.get(i);
        }
        return total;
    }

    /** A copy of every non-zero count (allocates; for statistics, not for hot paths). */
    public Map<HypercallOp, Long> snapshot()
    {
        final Map<HypercallOp, Long> snapshot = new EnumMap<>(HypercallOp.class);
        for (final HypercallOp op : HypercallOp.valuesShared())
        {
            final long count = counts.get(op.ordinal());
            if (count != 0)
            {
                snapshot.put(op, count);
            }
        }
        return snapshot;
    }
}
