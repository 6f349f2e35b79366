package io.pvio.backend.block;

import io.pvio.hypervisor.hypercall.Hypercalls;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The grants a front end reuses ({@code feature-persistent}), mapped writable on first use and kept mapped until the
 * ring goes: afterwards data moves by plain copies through the mapping, with no hypercall. At most
 * {@link #MAX_PER_RING} are kept, so a front end cannot make us hold an unbounded number of mappings; a grant that
 * cannot be kept (full, or not mappable writable) is left to grant copy by the caller. Owned by the ring's agent.
 */
final class BlkbackPersistentGrants
{
    /** Mappings kept per ring (Linux blkback keeps up to 1056 by default). */
    static final int MAX_PER_RING = 1024;

    private final Hypercalls hypercalls;
    private final int frontendDomid;
    private final Int2IntHashMap handleByRef = new Int2IntHashMap(-1);

    BlkbackPersistentGrants(final Hypercalls hypercalls, final int frontendDomid)
    {
        this.hypercalls = hypercalls;
        this.frontendDomid = frontendDomid;
    }

    /** The mapping of {@code ref}, mapped now if need be; {@code null} if it cannot be kept. */
    AtomicBuffer view(final int ref)
    {
        int handle = handleByRef.get(ref);
        if (handle < 0)
        {
            if (handleByRef.size() >= MAX_PER_RING)
            {
                return null;
            }
            handle = hypercalls.grantTable().mapGrantRef(frontendDomid, ref, false);
            if (handle < 0)
            {
                return null; // not granted writable to us (or bad): grant copy reports the error
            }
            handleByRef.put(ref, handle);
        }
        return hypercalls.grantTable().writableView(handle);
    }

    int size()
    {
        return handleByRef.size();
    }

    /** Unmaps everything; idempotent. */
    void release()
    {
        handleByRef.forEach((ref, handle) -> hypercalls.grantTable().unmapGrantRef(handle));
        handleByRef.clear();
    }
}
