package io.pvio.frontend.block;

import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.memory.GuestMemory;
import io.pvio.hypervisor.xenbus.DeferredGrantRelease;
import io.pvio.hypervisor.xenbus.XenbusFrontRing;
import org.agrona.ErrorHandler;
import org.agrona.LangUtil;

import java.util.ArrayList;
import java.util.List;

import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_DISCARD;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_OP_FLUSH_DISKCACHE;
import static io.pvio.ring.blkif.BlkifConstants.BLKIF_RSP_ERROR;

/**
 * The rings (one per queue) of one connection to the back end, as a {@link BlkfrontEngine}'s agent took them over
 * from a {@link BlkfrontCommands.Attach}, and what the connection serves: the operations the back end offers and the
 * largest request any ring carries. Owned by the agent: set up and dropped on its control path with the grants
 * monitor held (each ring claims its indirect pages and reserves its own {@code GrantRefPool}, and gives them back),
 * used without a lock on its data path.
 */
final class BlkfrontConnection
{
    private final BlkfrontRing[] rings;
    private final XenbusFrontRing[] resources;
    private final BlkfrontBackendFeatures features;
    private final BlkfrontRequestPool requests;
    private final int queueDepth;
    /** The largest request any ring serves; larger ones complete with EOPNOTSUPP. */
    private final int maxSegmentsPerRequest;
    /** Likewise for requests on registered buffers, which no ring's persistent pages or grant pool bound. */
    private final int maxRegisteredSegmentsPerRequest;

    /**
     * Takes over the rings of {@code attach}: control path, grants monitor held. If it throws (out of memory
     * building a ring, or {@code errorHandler} throwing as it is told of a shortfall), everything {@code attach}
     * carried has been given back first, through {@code deferred}: the rings built so far are detached, the other
     * queues' persistent pages and every ring's pages and port released. The caller must not release it again.
     */
    BlkfrontConnection(
        final BlkfrontCommands.Attach attach,
        final int handle,
        final int backendDomid,
        final Hypercalls hypercalls,
        final GrantAccess grants,
        final List<BlkfrontRequest> answered,
        final ErrorHandler errorHandler,
        final GuestMemory memory,
        final BlkfrontRequestPool requests,
        final DeferredGrantRelease deferred)
    {
        final int maxIndirect = BlkfrontRing.maxIndirectSegments(attach.features());
        rings = new BlkfrontRing[attach.fronts().length];
        int depth = 0;
        int maxSegments = 0;
        int maxRegisteredSegments = 0;
        int built = 0;
        try
        {
            for (int q = 0; q < rings.length; q++)
            {
                // claims the ring's indirect pages and reserves its grant refs from GrantAccess: monitor held; a
                // ring that throws has given back what it claimed, its persistent pages excepted
                rings[q] = new BlkfrontRing(attach.fronts()[q], attach.resources()[q].port(), handle,
                    backendDomid, hypercalls, grants, answered, errorHandler, memory, maxIndirect,
                    attach.persistentPages()[q], deferred);
                built = q + 1;
                depth += rings[q].capacity();
                maxSegments = Math.max(maxSegments, rings[q].maxSegmentsPerRequest());
                maxRegisteredSegments = Math.max(maxRegisteredSegments,
                    rings[q].maxRegisteredSegmentsPerRequest());
            }
        }
        catch (final Throwable ex)
        {
            giveBackPartial(attach, rings, built, deferred, ex);
            throw ex;
        }
        this.resources = attach.resources();
        this.features = attach.features();
        this.requests = requests;
        this.maxSegmentsPerRequest = maxSegments;
        this.maxRegisteredSegmentsPerRequest = maxRegisteredSegments;
        this.queueDepth = depth;
    }

    /**
     * What a constructor that failed after building {@code built} rings gives back: those rings (detached, with
     * their persistent pages; nothing was issued on them), the persistent pages of the queues it never built, and
     * every ring's pages and port. Whatever this throws in turn is added to {@code cause}. Grants monitor held.
     */
    private static void giveBackPartial(
        final BlkfrontCommands.Attach attach,
        final BlkfrontRing[] rings,
        final int built,
        final DeferredGrantRelease deferred,
        final Throwable cause)
    {
        for (int q = 0; q < rings.length; q++)
        {
            try
            {
                if (q < built)
                {
                    rings[q].detach(deferred);
                }
                else if (attach.persistentPages()[q] != null)
                {
                    attach.persistentPages()[q].release(deferred);
                }
            }
            catch (final Throwable releaseFailure)
            {
                BlkfrontRing.suppress(cause, releaseFailure);
            }
        }
        try
        {
            releaseRingResources(attach.resources(), deferred);
        }
        catch (final Throwable releaseFailure)
        {
            BlkfrontRing.suppress(cause, releaseFailure);
        }
    }

    /** The rings, one per queue, for the agent's per-ring duties (not to be changed). */
    BlkfrontRing[] rings()
    {
        return rings;
    }

    /** Requests all the rings can hold at once. */
    int queueDepth()
    {
        return queueDepth;
    }

    /**
     * Whether a ring of this connection may ever carry {@code request}: an operation the back end offers, and no
     * more pages than the connection carries in one request (no indirect segments, or fewer).
     */
    boolean serves(final BlkfrontRequest request)
    {
        return isOffered(request.operation) && request.segmentCount() <=
            (request.registered ? maxRegisteredSegmentsPerRequest : maxSegmentsPerRequest);
    }

    private boolean isOffered(final int operation)
    {
        return switch (operation)
        {
            case BLKIF_OP_FLUSH_DISKCACHE -> features.flushCache();
            case BLKIF_OP_DISCARD -> features.discard();
            default -> true;
        };
    }

    /**
     * Whether no ring can ever issue {@code request} by waiting for its completions
     * ({@link BlkfrontRing#isStarvedFor}).
     */
    boolean isStarved(final BlkfrontRequest request)
    {
        for (final BlkfrontRing ring : rings)
        {
            if (!ring.isStarvedFor(request))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * One push and at most one kick per ring for what was issued on it.
     *
     * @return requests in flight over all the rings.
     */
    int publish()
    {
        int inFlight = 0;
        for (final BlkfrontRing ring : rings)
        {
            ring.publish();
            inFlight += ring.inFlight();
        }
        return inFlight;
    }

    /**
     * Arms every ring's response event (before the agent parks: {@link BlkfrontRing#armResponseEvent}).
     *
     * @return true if responses are waiting already on any ring (do not park).
     */
    boolean armResponseEvents()
    {
        boolean responsesWaiting = false;
        for (final BlkfrontRing ring : rings)
        {
            responsesWaiting |= ring.armResponseEvent();
        }
        return responsesWaiting;
    }

    /** Whether any ring has requests the back end has not answered yet. */
    boolean hasRequestsInFlight()
    {
        for (final BlkfrontRing ring : rings)
        {
            if (ring.inFlight() > 0)
            {
                return true;
            }
        }
        return false;
    }

    /** Whether a ring's pool kept back refs the back end still mapped when their request completed. */
    boolean holdsRefsToRevoke()
    {
        for (final BlkfrontRing ring : rings)
        {
            if (ring.refsToRevoke() > 0)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes every ring off, ring by ring ({@link BlkfrontRing#detach}: dead afterwards, pages and grant ref pools
     * given back now or by {@code deferred} once the back end unmaps them): the requests each still had in flight
     * fail if {@code failAll} or their ring faulted, else go to {@code unfinished}. Then
     * {@link #releaseRingResources}. Grants monitor held.
     */
    void detachRings(
        final boolean failAll, final DeferredGrantRelease deferred, final List<BlkfrontRequest> unfinished)
    {
        // every ring comes off first, and only then do the failed requests' callbacks run: one that throws cannot
        // leave a ring attached, or a request that was on a ring in no list
        final List<BlkfrontRequest> failed = new ArrayList<>();
        for (final BlkfrontRing ring : rings)
        {
            final boolean faulted = ring.isFaulted();
            final List<BlkfrontRequest> held = ring.detach(deferred);
            (failAll || faulted ? failed : unfinished).addAll(held);
        }
        // what one completion throws (a VirtualMachineError, an error handler's own) is thrown once the others ran
        Throwable thrown = null;
        for (final BlkfrontRequest request : failed)
        {
            thrown = requests.completeHolding(request, BLKIF_RSP_ERROR, thrown);
        }
        if (thrown != null)
        {
            LangUtil.rethrowUnchecked(thrown);
        }
    }

    /**
     * Gives back the rings' shared pages and ports, after {@link #detachRings}: now, or by {@code deferred} once the
     * back end unmaps them. Grants monitor held.
     */
    void releaseRingResources(final DeferredGrantRelease deferred)
    {
        releaseRingResources(resources, deferred);
    }

    /**
     * Gives back rings' shared pages and ports: now, or by {@code deferred} once the back end unmaps them (for
     * connections taken over and for those never taken over alike). Grants monitor held.
     */
    static void releaseRingResources(final XenbusFrontRing[] resources, final DeferredGrantRelease deferred)
    {
        for (final XenbusFrontRing ringResources : resources)
        {
            if (ringResources.release() > 0)
            {
                deferred.deferRing(ringResources);
            }
        }
    }
}
