package io.pvio.frontend.block;

import io.pvio.backend.block.BlkbackFeatures;
import io.pvio.backend.block.BlkbackPersistentGrantBudget;
import io.pvio.backend.block.BlkbackRequestException;
import io.pvio.backend.block.BlkbackXenbus;
import io.pvio.backend.block.BlockStorage;
import io.pvio.backend.block.BlockTestRig;
import io.pvio.hypervisor.Hypervisor;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.guest.EventIdleStrategy;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.xenbus.XenbusBackendDriver;
import io.pvio.hypervisor.xenbus.XenbusClient;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusState;
import io.pvio.hypervisor.xenbus.XenbusToolstack;
import io.pvio.ring.grant.GrantEntryV1Descriptor;
import io.pvio.ring.grant.GrantEntryV1Flyweight;
import org.agrona.concurrent.AtomicBuffer;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * The whole stack for blkfront tests: backend's {@link BlockTestRig} (a real hypervisor, XenStore and xenbus; dom0
 * runs blkback over storage the test provides) plus blkfront in its guest. Real threads and event delivery
 * throughout; await with Awaitility.
 */
final class BlockRig implements AutoCloseable
{
    static final Duration WAIT = Duration.ofSeconds(20);

    final BlockTestRig machine;
    final Hypervisor hv;
    final XenbusToolstack toolstack;
    final XenbusClient observer;
    final Domain guest;
    final GrantAccess grants;
    /** Anything unexpected from either end or the framework. */
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    /** Requests blkback answered with an error, as it logs them (once per ring). */
    final List<Throwable> rejections = new CopyOnWriteArrayList<>();
    final BlkbackXenbus blkback;
    final BlkfrontXenbus blkfront;
    /**
     * If set, blkfront's error handler, after recording the first error this matches, throws (once: it is cleared
     * then), as an application's handler might.
     */
    final AtomicReference<Predicate<Throwable>> throwOnFrontError = new AtomicReference<>();
    /** Every idle strategy blkfront took for its agents (one per device, one for its deferred release). */
    final List<EventIdleStrategy> frontIdleStrategies = new CopyOnWriteArrayList<>();

    /** The back end's default features; the front end wants two queues (the default offer). */
    BlockRig()
    {
        this(BlkbackFeatures.defaults(), 2);
    }

    BlockRig(final BlkbackFeatures features, final int frontQueues)
    {
        this(features, frontQueues, 0, null);
    }

    BlockRig(final BlkbackFeatures features, final int frontQueues, final int frontRingPageOrder)
    {
        this(features, frontQueues, frontRingPageOrder, null);
    }

    BlockRig(
        final BlkbackFeatures features,
        final int frontQueues,
        final Function<Hypercalls, XenbusBackendDriver> hostileBackend)
    {
        this(features, frontQueues, 0, hostileBackend);
    }

    /**
     * @param frontRingPageOrder the ring page order blkfront asks for (it gets at most what blkback offers).
     * @param hostileBackend     if not null, dom0 runs this driver for {@code vbd} instead of blkback.
     */
    BlockRig(
        final BlkbackFeatures features,
        final int frontQueues,
        final int frontRingPageOrder,
        final Function<Hypercalls, XenbusBackendDriver> hostileBackend)
    {
        this(features, frontQueues, frontRingPageOrder, hostileBackend,
            BlkbackPersistentGrantBudget.DEFAULT_IDLE_TIMEOUT_NS);
    }

    /**
     * @param persistentGrantIdleTimeoutNs after how long unused blkback unmaps a kept grant.
     */
    BlockRig(
        final BlkbackFeatures features,
        final int frontQueues,
        final int frontRingPageOrder,
        final Function<Hypercalls, XenbusBackendDriver> hostileBackend,
        final long persistentGrantIdleTimeoutNs)
    {
        machine = new BlockTestRig(features, hostileBackend == null ? null :
            rig -> hostileBackend.apply(rig.hv.dom0Hypercalls()), this::backendError, errors::add,
            BlockTestRig.DEFAULT_MAX_PERSISTENT_GRANTS_PER_DEVICE, persistentGrantIdleTimeoutNs);
        hv = machine.hv;
        toolstack = machine.toolstack;
        observer = machine.observer;
        guest = machine.guest;
        grants = machine.grants;
        blkback = machine.blkback;
        blkfront = new BlkfrontXenbus(guest.hypercalls(), guest.guestMemory(), grants,
            machine.guestHost.dispatcher(), this::newFrontIdleStrategy, this::frontError, frontQueues,
            frontRingPageOrder);
        machine.startFrontend(blkfront);
    }

    private EventIdleStrategy newFrontIdleStrategy()
    {
        final EventIdleStrategy idle = new EventIdleStrategy();
        frontIdleStrategies.add(idle);
        return idle;
    }

    /** Times blkfront's agents parked, all together. */
    long frontParks()
    {
        long parks = 0;
        for (final EventIdleStrategy idle : frontIdleStrategies)
        {
            parks += idle.parks();
        }
        return parks;
    }

    private void frontError(final Throwable error)
    {
        errors.add(error);
        final Predicate<Throwable> trigger = throwOnFrontError.get();
        if (trigger != null && trigger.test(error) && throwOnFrontError.compareAndSet(trigger, null))
        {
            throw new IllegalStateException("the test's error handler throws, told of: " + error.getMessage());
        }
    }

    private void backendError(final Throwable error)
    {
        (error instanceof BlkbackRequestException ? rejections : errors).add(error);
    }

    /** Starts dom0's back-end bus again (after {@link #stopBackend}): it probes existing devices afresh. */
    void startBackend()
    {
        machine.startBackend();
    }

    /** The back end dies: its bus stops, every ring agent stops and its mappings go; the store still says Connected. */
    void stopBackend()
    {
        machine.stopBackend();
    }

    /** Attaches {@code vbd/<id>} over {@code disk} ({@code mode} first if not null) and waits until connected. */
    BlkfrontDevice attach(final String id, final BlockStorage disk, final String mode)
    {
        final XenbusDevice device = machine.attach(id, disk, mode);
        await().atMost(WAIT).failFast(() -> !errors.isEmpty()).until(() ->
            observer.readState(device.frontendPath()) == XenbusState.CONNECTED &&
            blkfront.device(id) != null && blkfront.device(id).isConnected());
        return blkfront.device(id);
    }

    /** {@code count} fresh zeroed guest pages. */
    long[] allocateGuestPages(final int count)
    {
        return machine.allocateGuestPages(count);
    }

    AtomicBuffer page(final long gfn)
    {
        return guest.guestMemory().frame(gfn);
    }

    /** The bytes {@code buffer} names, gathered from its pages. */
    byte[] bytesOf(final BlockBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.lengthBytes()];
        int done = 0;
        for (int page = 0; page < buffer.pageCount(); page++)
        {
            final int from = buffer.firstSector(page) * 512;
            final int length = (buffer.lastSector(page) + 1) * 512 - from;
            page(buffer.gfn(page)).getBytes(from, bytes, done, length);
            done += length;
        }
        return bytes;
    }

    /** Scatters {@code bytes} into the pages {@code buffer} names. */
    void fill(final BlockBuffer buffer, final byte[] bytes)
    {
        int done = 0;
        for (int page = 0; page < buffer.pageCount(); page++)
        {
            final int from = buffer.firstSector(page) * 512;
            final int length = (buffer.lastSector(page) + 1) * 512 - from;
            page(buffer.gfn(page)).putBytes(from, bytes, done, length);
            done += length;
        }
    }

    /**
     * The guest pages some grantee maps writable now, read from the guest's own grant table: every entry with
     * {@code GTF_writing} set (a writable mapping, or a grant copy into the page in progress), by its frame.
     */
    Set<Long> writablyMappedGfns()
    {
        final Set<Long> gfns = new TreeSet<>();
        final GrantEntryV1Flyweight entry = new GrantEntryV1Flyweight();
        final long[] tableGfns = guest.startInfo().grantTableGfns();
        for (int ref = 0; ref < tableGfns.length * GrantEntryV1Descriptor.ENTRIES_PER_FRAME; ref++)
        {
            entry.wrap(page(tableGfns[ref / GrantEntryV1Descriptor.ENTRIES_PER_FRAME]), 0, BlockBuffer.PAGE_BYTES,
                ref % GrantEntryV1Descriptor.ENTRIES_PER_FRAME);
            if ((entry.flagsVolatile() & GrantEntryV1Descriptor.GTF_WRITING) != 0)
            {
                gfns.add((long)entry.frame());
            }
        }
        return gfns;
    }

    @Override
    public void close()
    {
        blkfront.close();
        machine.close();
    }
}
