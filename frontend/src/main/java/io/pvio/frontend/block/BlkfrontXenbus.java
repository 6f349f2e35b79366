package io.pvio.frontend.block;

import io.pvio.hypervisor.xenbus.DeferredGrantRelease;

import io.pvio.hypervisor.guest.EventIdleStrategy;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.guest.UpcallDispatcher;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.memory.GuestMemory;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusFrontRing;
import io.pvio.hypervisor.xenbus.XenbusFrontendDriver;
import io.pvio.hypervisor.xenbus.XenbusNegotiation;
import io.pvio.hypervisor.xenbus.XenbusTransaction;
import io.pvio.ring.FrontRing;
import io.pvio.ring.SharedRing;
import io.pvio.ring.blkif.BlkifAbi;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SystemNanoClock;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * blkfront's control path: the {@code vbd} driver for a {@link io.pvio.hypervisor.xenbus.XenbusFrontendBus}.
 * Each device found becomes a {@link BlkfrontDevice} running on its own agent thread for as long as the device
 * exists. When the back end is in InitWait this reads its features ({@link BlkfrontBackendFeatures}), grants and
 * initialises a fresh ring of {@code 2^order} pages (as many as wanted and offered) and an event channel
 * ({@link XenbusFrontRing}) per queue (as many as wanted and offered) and publishes them with {@code protocol} and
 * {@code feature-persistent} (and {@code multi-queue-num-queues} with one {@code queue-N} directory per ring when
 * there is more than one); when the back end is Connected it reads the disk's geometry and hands the rings to the
 * device. A back end that closes or restarts detaches the rings; the device re-issues its unfinished requests on the
 * next ones.
 * <p>
 * {@code feature-persistent=1} is written only if the back end offers it and every queue's persistent pages
 * ({@link BlkfrontPersistentPages}) could be claimed, before anything is published: a back end that negotiated it
 * keeps every grant it is given mapped, so a ring that then had to grant its callers' pages per request would see
 * its grant references kept one by one until it stalled. A guest short of memory goes without (per-request grants,
 * which such a back end unmaps). On a reconnect the new pages are claimed while the old ones may not be given back
 * yet, so a guest that was just short enough may go without on the next connection.
 * <p>
 * Whatever blkfront gives up while the back end still maps it (dropped rings, their indirect and persistent pages and
 * kept per-request grants, of devices still present or removed) goes to one {@link DeferredGrantRelease} for the
 * guest, run on its own agent thread, which ends the grants and gives the pages back once the back end lets go.
 * <p>
 * The guest's {@link GrantAccess} is used here only on the control path (granting ring pages, persistent pages and
 * event channel setup in {@link XenbusFrontRing}, and releasing them), under its monitor; the device's data path
 * grants from references and pages each ring reserved when it was attached, without that lock.
 * <p>
 * The bus calls every method on its agent thread; {@link #device} and {@link #close} may be called from any.
 */
public final class BlkfrontXenbus implements XenbusFrontendDriver, AutoCloseable
{
    public static final String DEVICE_TYPE = "vbd";
    public static final String PROTOCOL = "protocol";
    public static final String MULTI_QUEUE_NUM_QUEUES = "multi-queue-num-queues";
    /** blkif.h: with more than one queue each publishes its ring in {@code queue-N}. */
    public static final String QUEUE_DIR_PREFIX = "queue-";

    /**
     * The rings of one device, published but not yet connected: one per queue, with its persistent pages if
     * {@code feature-persistent} was advertised ({@code null}s otherwise).
     */
    private record PreparedRings(XenbusFrontRing[] resources, FrontRing[] fronts,
        BlkfrontPersistentPages[] persistentPages, BlkfrontBackendFeatures features)
    {
        void release(final GrantAccess grants, final DeferredGrantRelease deferred)
        {
            synchronized (grants)
            {
                for (final XenbusFrontRing ring : resources)
                {
                    if (ring != null && ring.release() > 0)
                    {
                        deferred.deferRing(ring);
                    }
                }
                releasePersistentPages(deferred);
            }
        }

        /** Grants monitor held. */
        void releasePersistentPages(final DeferredGrantRelease deferred)
        {
            for (int q = 0; q < persistentPages.length; q++)
            {
                if (persistentPages[q] != null)
                {
                    persistentPages[q].release(deferred);
                    persistentPages[q] = null;
                }
            }
        }
    }

    private record Running(BlkfrontDevice device, AgentRunner runner, EventIdleStrategy idle)
    {
        void close()
        {
            idle.shutdown();
            runner.close();
        }
    }

    private final Hypercalls hypercalls;
    private final GuestMemory memory;
    private final GrantAccess grants;
    private final UpcallDispatcher dispatcher;
    private final Supplier<EventIdleStrategy> idleStrategies;
    private final ErrorHandler errorHandler;
    private final Map<String, Running> devices = new ConcurrentHashMap<>();
    private final Map<String, PreparedRings> prepared = new ConcurrentHashMap<>();
    private final int wantedQueues;
    private final int wantedRingPageOrder;
    private final DeferredGrantRelease deferredRelease;
    private final EventIdleStrategy deferredReleaseIdle;
    private final AgentRunner deferredReleaseRunner;

    /**
     * @param grants         the guest's grant table: shared with whatever else the guest grants through it; every
     *                       control-path use is synchronised on it (each ring's data path works on a reserved
     *                       {@link io.pvio.hypervisor.guest.GrantRefPool}).
     * @param dispatcher     the guest's event upcall: each ring's event channel is bound on it to wake the device's
     *                       agent when the back end answers.
     * @param idleStrategies one per agent: each device's parks until a response event or a submission arrives; the
     *                       guest's {@link DeferredGrantRelease} (started here, stopped by {@link #close}) until
     *                       it has something to give back, then polls for it with a backoff.
     * @param wantedQueues   rings per device if the back end offers that many ({@code multi-queue-num-queues}).
     */
    public BlkfrontXenbus(
        final Hypercalls hypercalls,
        final GuestMemory memory,
        final GrantAccess grants,
        final UpcallDispatcher dispatcher,
        final Supplier<EventIdleStrategy> idleStrategies,
        final ErrorHandler errorHandler,
        final int wantedQueues)
    {
        this(hypercalls, memory, grants, dispatcher, idleStrategies, errorHandler, wantedQueues, 0);
    }

    /**
     * @param wantedRingPageOrder rings of {@code 2^order} pages if the back end offers that much
     *                            ({@code max-ring-page-order}; Linux's blkfront also defaults to 0): each page holds 32
     *                            more requests in flight (the persistent pages stay capped per ring).
     */
    public BlkfrontXenbus(
        final Hypercalls hypercalls,
        final GuestMemory memory,
        final GrantAccess grants,
        final UpcallDispatcher dispatcher,
        final Supplier<EventIdleStrategy> idleStrategies,
        final ErrorHandler errorHandler,
        final int wantedQueues,
        final int wantedRingPageOrder)
    {
        if (wantedQueues < 1 || wantedQueues > BlkfrontBackendFeatures.MAX_QUEUES_READ)
        {
            throw new IllegalArgumentException("queues must be in 1.." + BlkfrontBackendFeatures.MAX_QUEUES_READ +
                ": " + wantedQueues);
        }
        if (wantedRingPageOrder < 0 || wantedRingPageOrder > XenbusFrontRing.MAX_PAGE_ORDER)
        {
            throw new IllegalArgumentException("ring page order must be in 0.." + XenbusFrontRing.MAX_PAGE_ORDER +
                ": " + wantedRingPageOrder);
        }
        this.wantedQueues = wantedQueues;
        this.wantedRingPageOrder = wantedRingPageOrder;
        this.hypercalls = hypercalls;
        this.memory = memory;
        this.grants = grants;
        this.dispatcher = dispatcher;
        this.idleStrategies = idleStrategies;
        this.errorHandler = errorHandler;
        this.deferredReleaseIdle = idleStrategies.get();
        this.deferredRelease = new DeferredGrantRelease("blkfront-deferred-release", hypercalls, grants,
            deferredReleaseIdle, SystemNanoClock.INSTANCE);
        this.deferredReleaseRunner = new AgentRunner(deferredReleaseIdle, errorHandler, null, deferredRelease);
        AgentRunner.startOnThread(deferredReleaseRunner);
    }

    @Override
    public String deviceType()
    {
        return DEVICE_TYPE;
    }

    /** The block device for {@code vbd/<id>}, or {@code null} if there is none (yet). */
    public BlkfrontDevice device(final String id)
    {
        final Running running = devices.get(id);
        return running == null ? null : running.device();
    }

    @Override
    public void probe(final XenbusDevice device)
    {
        final EventIdleStrategy idle = idleStrategies.get();
        final BlkfrontDevice blockDevice = new BlkfrontDevice(new BlkfrontEngine("blkfront-d" +
            device.frontendDomid() + "-" + device.id(), handleOf(device.id()), device.backendDomid(), hypercalls,
            memory, grants, errorHandler, idle, deferredRelease));
        final AgentRunner runner = new AgentRunner(idle, errorHandler, null, blockDevice.engine());
        AgentRunner.startOnThread(runner);
        final Running old = devices.put(device.id(), new Running(blockDevice, runner, idle));
        if (old != null)
        {
            old.close();
        }
    }

    @Override
    public XenbusNegotiation initialise(final XenbusDevice device, final XenbusTransaction backend)
    {
        final BlkfrontBackendFeatures features = BlkfrontBackendFeatures.parse(backend);
        releasePrepared(device.id());
        // take min(ours, theirs) queues (blkif.h multi-queue-max-queues)
        final int queues = Math.min(wantedQueues, features.maxQueues());
        // and min(ours, theirs) ring page order (blkif.h max-ring-page-order / ring-page-order)
        final int order = Math.min(wantedRingPageOrder, features.maxRingPageOrder());
        final PreparedRings rings = new PreparedRings(new XenbusFrontRing[queues], new FrontRing[queues],
            new BlkfrontPersistentPages[queues], features);
        final Running running = devices.get(device.id());
        if (running == null)
        {
            throw new IllegalStateException(device + ": initialised before it was probed");
        }
        try
        {
            for (int q = 0; q < queues; q++)
            {
                synchronized (grants)
                {
                    rings.resources()[q] = XenbusFrontRing.claim(hypercalls, memory, grants, device.backendDomid(), order);
                }
                // the back end's answers arrive as events on this port: each wakes the device's agent, until the
                // ring is released (which unbinds the handler before closing the port)
                final EventIdleStrategy idle = running.idle();
                rings.resources()[q].bindEvents(dispatcher, port -> idle.signal());
                // ring.h: the front end initialises the shared ring before publishing its reference
                rings.fronts()[q] = FrontRing.initialise(
                    SharedRing.ofPageOrder(rings.resources()[q].ring(), order, BlkifAbi.X86_64.layout()));
            }
            if (features.persistent())
            {
                claimPersistentPages(device, rings);
            }
        }
        catch (final RuntimeException ex)
        {
            rings.release(grants, deferredRelease);
            throw ex;
        }
        final boolean persistent = rings.persistentPages()[0] != null;
        prepared.put(device.id(), rings);
        return tx ->
        {
            tx.write(PROTOCOL, BlkifAbi.X86_64.protocol());
            // blkif.h: with persistent pages claimed for every queue we reuse them for every data segment, inline
            // and indirect, so the back end may keep them mapped (BlkfrontPersistentPages); written either way,
            // so a 1 left from an earlier connection does not stand
            tx.writeFlag(BlkfrontBackendFeatures.FEATURE_PERSISTENT, persistent);
            if (queues == 1)
            {
                rings.resources()[0].publish(tx);
                return;
            }
            tx.write(MULTI_QUEUE_NUM_QUEUES, queues);
            for (int q = 0; q < queues; q++)
            {
                rings.resources()[q].publish(tx.at(tx.dir() + "/" + QUEUE_DIR_PREFIX + q));
            }
        };
    }

    /**
     * Claims every queue's persistent pages, or none: a shortfall on one queue gives back the others' (never
     * published, so never mapped), and {@code feature-persistent} is then not advertised.
     */
    private void claimPersistentPages(final XenbusDevice device, final PreparedRings rings)
    {
        final int segments = BlkfrontRing.segmentsPerRequest(BlkfrontRing.maxIndirectSegments(rings.features()));
        synchronized (grants)
        {
            for (int q = 0; q < rings.fronts().length; q++)
            {
                rings.persistentPages()[q] = BlkfrontPersistentPages.claim(hypercalls, memory, grants,
                    device.backendDomid(), rings.fronts()[q].size(), segments, errorHandler);
                if (rings.persistentPages()[q] == null)
                {
                    rings.releasePersistentPages(deferredRelease);
                    errorHandler.onError(new IllegalStateException(device + ": no room for persistent pages on " +
                        "queue " + q + ": feature-persistent not advertised"));
                    return;
                }
            }
        }
    }

    @Override
    public void connected(final XenbusDevice device, final XenbusTransaction backend)
    {
        final BlkfrontGeometry geometry = BlkfrontGeometry.parse(backend);
        final PreparedRings rings = prepared.remove(device.id());
        final Running running = devices.get(device.id());
        if (rings == null || running == null)
        {
            if (rings != null)
            {
                rings.release(grants, deferredRelease);
            }
            throw new IllegalStateException(device + ": connected without a prepared ring");
        }
        running.device().engine().attach(
            rings.resources(), rings.fronts(), rings.persistentPages(), rings.features(), geometry);
    }

    @Override
    public void disconnect(final XenbusDevice device)
    {
        releasePrepared(device.id());
        final Running running = devices.get(device.id());
        if (running != null)
        {
            running.device().engine().detach();
        }
    }

    @Override
    public void remove(final XenbusDevice device)
    {
        final Running running = devices.remove(device.id());
        if (running != null)
        {
            running.device().engine().close();
            running.close();
        }
    }

    /**
     * Stops every device agent (whatever had not completed fails), then the deferred release after one last try:
     * what the back ends still map then stays granted.
     */
    @Override
    public void close()
    {
        for (final String id : devices.keySet())
        {
            final Running running = devices.remove(id);
            if (running != null)
            {
                running.close();
            }
        }
        for (final String id : prepared.keySet())
        {
            releasePrepared(id);
        }
        deferredReleaseIdle.shutdown();
        deferredReleaseRunner.close();
    }

    /** Grants given up while the back ends still map them, waiting for them to let go. Any thread. */
    int grantsAwaitingRelease()
    {
        return deferredRelease.pendingGrantCount();
    }

    private void releasePrepared(final String id)
    {
        final PreparedRings stale = prepared.remove(id);
        if (stale != null)
        {
            stale.release(grants, deferredRelease);
        }
    }

    /** blkif.h: handle is the virtual device number; a numeric device id is one. */
    private static int handleOf(final String id)
    {
        try
        {
            return Integer.parseInt(id) & 0xFFFF;
        }
        catch (final NumberFormatException ex)
        {
            return 0;
        }
    }
}
