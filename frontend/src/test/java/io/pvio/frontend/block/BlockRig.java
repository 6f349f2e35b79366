package io.pvio.frontend.block;

import io.pvio.backend.block.BlkbackFeatures;
import io.pvio.backend.block.BlkbackFrontendDetails;
import io.pvio.backend.block.BlkbackRequestException;
import io.pvio.backend.block.BlkbackXenbus;
import io.pvio.backend.block.BlockStorage;
import io.pvio.hypervisor.Hypervisor;
import io.pvio.hypervisor.HypervisorConfig;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.domain.VcpuScheduling;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.guest.IdleGuest;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.xenbus.XenbusBackendBus;
import io.pvio.hypervisor.xenbus.XenbusBackendDriver;
import io.pvio.hypervisor.xenbus.XenbusClient;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusFrontendBus;
import io.pvio.hypervisor.xenbus.XenbusState;
import io.pvio.hypervisor.xenbus.XenbusToolstack;
import io.pvio.hypervisor.xenstore.XenStore;
import io.pvio.hypervisor.xenstore.XenStoreClient;
import io.pvio.hypervisor.xenstore.XsQuota;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.awaitility.Awaitility.await;

/**
 * The whole stack for blkfront tests: a real hypervisor, XenStore and xenbus; dom0 runs blkback over storage the
 * test provides, one guest runs blkfront. Real threads throughout; await with Awaitility.
 */
final class BlockRig implements AutoCloseable
{
    static final Duration WAIT = Duration.ofSeconds(20);

    final Hypervisor hv;
    final XenStore store = new XenStore(XsQuota.defaults());
    final XenbusToolstack toolstack;
    final XenbusClient observer;
    final Domain guest;
    final GrantAccess grants;
    final Map<String, BlockStorage> storage = new ConcurrentHashMap<>();
    /** Anything unexpected from either end or the framework. */
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    /** Requests blkback answered with an error, as it logs them (once per ring). */
    final List<Throwable> rejections = new CopyOnWriteArrayList<>();
    final BlkbackXenbus blkback;
    final BlkfrontXenbus blkfront;
    final XenbusBackendDriver backendDriver;
    private final List<AgentRunner> runners = new CopyOnWriteArrayList<>();
    private AgentRunner backendBus;

    /** The back end's default features; the front end wants two queues (the default offer). */
    BlockRig()
    {
        this(BlkbackFeatures.defaults(), 2);
    }

    BlockRig(final BlkbackFeatures features, final int frontQueues)
    {
        this(features, frontQueues, null);
    }

    /** @param hostileBackend if not null, dom0 runs this driver for {@code vbd} instead of blkback. */
    BlockRig(
        final BlkbackFeatures features,
        final int frontQueues,
        final Function<Hypercalls, XenbusBackendDriver> hostileBackend)
    {
        hv = Hypervisor.boot(new HypervisorConfig()
            .machineFrames(8192)
            .threadedReaper(false)
            .dom0(new DomainConfig().name("dom0").memoryPages(16).maxPages(1024).maxPorts(256)
                .maptrackEntries(1024).vcpuScheduling(VcpuScheduling.MANUAL).image(IdleGuest.image())));
        final XenStoreClient dom0 = new XenStoreClient(store, 0, true);
        toolstack = new XenbusToolstack(dom0);
        observer = new XenbusClient(dom0);
        guest = hv.domain(hv.dom0Hypercalls().domctl().createDomain(new DomainConfig().name("guest")
            .memoryPages(16).maxPages(4096).grantFrames(8).vcpuScheduling(VcpuScheduling.MANUAL)
            .image(IdleGuest.image())));
        hv.dom0Hypercalls().domctl().unpauseDomain(guest.domid());
        toolstack.createHome(guest.domid());
        grants = new GrantAccess(guest.guestMemory(), guest.startInfo());
        blkback = new BlkbackXenbus(hv.dom0Hypercalls(), hv.dom0().guestMemory(), device -> storage.get(device.id()),
            features, BlockRig::idle, this::backendError);
        backendDriver = hostileBackend == null ? blkback : hostileBackend.apply(hv.dom0Hypercalls());
        blkfront = new BlkfrontXenbus(guest.hypercalls(), guest.guestMemory(), grants, BlockRig::idle, errors::add,
            frontQueues);
        startBackend();
        final XenbusFrontendBus frontBus =
            new XenbusFrontendBus(new XenStoreClient(store, guest.domid(), false), errors::add);
        frontBus.register(blkfront);
        start(frontBus);
    }

    private void backendError(final Throwable error)
    {
        (error instanceof BlkbackRequestException ? rejections : errors).add(error);
    }

    static BackoffIdleStrategy idle()
    {
        return new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1));
    }

    /** Starts dom0's back-end bus (again, after {@link #stopBackend}): it probes existing devices afresh. */
    void startBackend()
    {
        final XenbusBackendBus bus = new XenbusBackendBus(new XenStoreClient(store, 0, true), errors::add);
        bus.register(backendDriver);
        backendBus = start(bus);
    }

    /** The back end dies: its bus stops, every ring agent stops and its mappings go; the store still says Connected. */
    void stopBackend()
    {
        backendBus.close();
        runners.remove(backendBus);
    }

    private AgentRunner start(final Agent agent)
    {
        final AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(1), errors::add, null, agent);
        AgentRunner.startOnThread(runner);
        runners.add(runner);
        return runner;
    }

    /** Attaches {@code vbd/<id>} over {@code disk} ({@code mode} first if not null) and waits until connected. */
    BlkfrontDevice attach(final String id, final BlockStorage disk, final String mode)
    {
        final XenbusDevice device = new XenbusDevice(BlkbackXenbus.DEVICE_TYPE, id, guest.domid(), 0);
        storage.put(id, disk);
        if (mode != null)
        {
            observer.xs().write(0, device.backendPath() + "/" + BlkbackFrontendDetails.MODE, mode);
        }
        toolstack.attach(device);
        await().atMost(WAIT).failFast(() -> !errors.isEmpty()).until(() ->
            observer.readState(device.frontendPath()) == XenbusState.CONNECTED &&
            blkfront.device(id) != null && blkfront.device(id).isConnected());
        return blkfront.device(id);
    }

    /** {@code count} fresh zeroed guest pages. */
    long[] allocateGuestPages(final int count)
    {
        final long[] gfns = new long[count];
        final int added = guest.hypercalls().memory().increaseReservation(DomainId.SELF, count, gfns);
        if (added != count)
        {
            throw new IllegalStateException("only " + added + " guest pages");
        }
        return gfns;
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

    @Override
    public void close()
    {
        blkfront.close();
        for (int i = runners.size() - 1; i >= 0; i--)
        {
            runners.get(i).close();
        }
        hv.close();
    }
}
