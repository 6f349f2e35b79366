package io.pvio.hypervisor.xenbus;

import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.guest.EventIdleStrategy;
import io.pvio.hypervisor.xenstore.XenStore;
import io.pvio.hypervisor.xenstore.XenStoreClient;
import io.pvio.hypervisor.xenstore.XsQuota;
import org.agrona.concurrent.AgentRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The buses sleep until they have work, as Linux's xenwatch thread does: parked with no timeout between events (no
 * polling), woken by their XenStore connection's watch events and by {@code register()}. Every wait here would time
 * out if a wake-up were lost, since nothing else wakes a parked bus.
 */
class EventDrivenBusTest
{
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Below {@link AgentRunner}'s 5 s close retry: a close that waited for a parked bus's next event would take that. */
    private static final Duration PROMPT_CLOSE = Duration.ofSeconds(4);

    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private SplitDriverHost host;

    @AfterEach
    void tearDown()
    {
        if (host != null)
        {
            host.close();
        }
    }

    private SplitDriverHost.Guest boot()
    {
        host = new SplitDriverHost(4096, 256, errors::add);
        return host.createGuest(new DomainConfig().name("guest").memoryPages(16).maxPages(1024));
    }

    private void assertNoErrors()
    {
        assertTrue(errors.isEmpty(), () -> errors.size() + " errors, the first: " + errors.get(0));
    }

    /**
     * Waits until {@code runner}'s agent is parked, with no timeout, in an {@link EventIdleStrategy} (a polling
     * strategy sleeps with a timeout: TIMED_WAITING), and returns that strategy.
     */
    private static EventIdleStrategy awaitAsleep(final AgentRunner runner)
    {
        final AtomicReference<EventIdleStrategy> parkedOn = new AtomicReference<>();
        await().atMost(WAIT).until(() ->
        {
            final Thread thread = runner.thread();
            if (thread == null || thread.getState() != Thread.State.WAITING)
            {
                return false;
            }
            parkedOn.set(LockSupport.getBlocker(thread) instanceof EventIdleStrategy idle ? idle : null);
            return parkedOn.get() != null;
        });
        return parkedOn.get();
    }

    @Test
    void busesSleepBetweenEventsAndWakeForEachStepOfTheHandshake()
    {
        final SplitDriverHost.Guest guest = boot();
        final EchoDevice.Back back = new EchoDevice.Back(host.hypervisor().dom0Hypercalls(), 2);
        final EchoDevice.Front front = new EchoDevice.Front(guest.domain(), guest.grants(), 1);
        host.startBackendBus(back);
        final AgentRunner frontRunner = guest.startFrontendBus(front);
        final AgentRunner backRunner = host.backendBusRunner();
        final EventIdleStrategy backIdle = awaitAsleep(backRunner);
        final EventIdleStrategy frontIdle = awaitAsleep(frontRunner);
        final long backWakeups = backIdle.wakeups();
        final long frontWakeups = frontIdle.wakeups();

        // both buses are parked for good: only the watch events of this attach (and the other end's replies) can
        // move them through InitWait, Initialised and Connected
        final XenbusDevice device = new XenbusDevice(EchoDevice.TYPE, "0", guest.domid(), 0);
        host.attach(device);
        await().atMost(WAIT).failFast("a bus failed", this::assertNoErrors).until(() ->
            host.observer().readState(device.frontendPath()) == XenbusState.CONNECTED &&
            host.observer().readState(device.backendPath()) == XenbusState.CONNECTED &&
            back.magic(device.id()) == EchoDevice.MAGIC);
        awaitAsleep(backRunner);
        awaitAsleep(frontRunner);
        assertTrue(backIdle.wakeups() > backWakeups, "the back end was woken by a signal, not a timer");
        assertTrue(frontIdle.wakeups() > frontWakeups, "the front end was woken by a signal, not a timer");

        host.toolstack().detach(device);
        await().atMost(WAIT).until(() -> host.toolstack().isClosed(device));
        host.toolstack().remove(device);
        await().atMost(WAIT).until(() ->
            front.calls.get("remove", "0") == 1 && back.calls.get("remove", "0") == 1);
        awaitAsleep(backRunner);
        awaitAsleep(frontRunner);
        assertTrue(back.rings.isEmpty());
        assertTrue(front.rings.isEmpty());

        // closing wakes the parked buses for good rather than waiting for an event that will not come
        assertTimeoutPreemptively(PROMPT_CLOSE, host::close);
        host = null;
        assertNoErrors();
    }

    @Test
    void aDriverRegisteredWhileTheBusSleepsWakesItToProbe()
    {
        final SplitDriverHost.Guest guest = boot();
        final XenbusDevice device = new XenbusDevice(EchoDevice.TYPE, "late", guest.domid(), 0);
        host.attach(device);
        host.startBackendBus();
        final AgentRunner backRunner = host.backendBusRunner();
        // it has scanned the device's directory and found no driver for it; nothing will change in the store now
        final EventIdleStrategy idle = awaitAsleep(backRunner);
        final long wakeups = idle.wakeups();
        assertEquals(XenbusState.INITIALISING, host.observer().readState(device.backendPath()));

        final EchoDevice.Back back = new EchoDevice.Back(host.hypervisor().dom0Hypercalls(), 0);
        ((XenbusBackendBus)backRunner.agent()).register(back);
        await().atMost(WAIT).until(() -> host.observer().readState(device.backendPath()) == XenbusState.INIT_WAIT);
        assertEquals(1, back.calls.get("probe", "late"));
        assertTrue(idle.wakeups() > wakeups, "register() woke it");

        assertTimeoutPreemptively(PROMPT_CLOSE, () -> host.stop(backRunner));
        assertTrue(backRunner.isClosed());
        assertNull(host.backendBusRunner());
        assertNoErrors();
    }

    @Test
    void aSleepingBusWhoseEventsAreDroppedStillFindsAndForgetsEveryDevice()
    {
        // one queued event per connection: nearly every event of these attaches and removals is dropped, yet each
        // drop leaves an event queued, whose taking wakes the bus and rescans the whole store
        final XenStore store = new XenStore(new XsQuota(1000, 128, 10, 2048, 1));
        final XenbusToolstack toolstack = new XenbusToolstack(new XenStoreClient(store, 0, true));
        final XenbusClient observer = new XenbusClient(new XenStoreClient(store, 0, true));
        final int frontendDomid = 1;
        toolstack.createHome(frontendDomid);
        final XenStoreClient busXs = new XenStoreClient(store, 0, true);
        final XenbusBackendBus bus = new XenbusBackendBus(busXs, errors::add);
        final EchoDevice.Back back = new EchoDevice.Back(null, 0); // probes and removals only: it never maps
        bus.register(back);
        final EventIdleStrategy idle = new EventIdleStrategy(0);
        assertTrue(bus.signalOnWork(idle::signal));
        final AgentRunner runner = new AgentRunner(idle, errors::add, null, bus);
        AgentRunner.startOnThread(runner);
        try
        {
            awaitAsleep(runner);
            final int count = 20;
            for (int i = 0; i < count; i++)
            {
                toolstack.attach(new XenbusDevice(EchoDevice.TYPE, "d" + i, frontendDomid, 0));
            }
            await().atMost(WAIT).failFast("a bus failed", this::assertNoErrors).until(() ->
            {
                for (int i = 0; i < count; i++)
                {
                    final String path = new XenbusDevice(EchoDevice.TYPE, "d" + i, frontendDomid, 0).backendPath();
                    if (observer.readState(path) != XenbusState.INIT_WAIT)
                    {
                        return false;
                    }
                }
                return true;
            });
            assertTrue(busXs.droppedWatchEvents() > 0, "the quota dropped events");

            for (int i = 0; i < count; i++)
            {
                toolstack.remove(new XenbusDevice(EchoDevice.TYPE, "d" + i, frontendDomid, 0));
            }
            await().atMost(WAIT).until(() -> bus.devices().isEmpty());
            for (int i = 0; i < count; i++)
            {
                assertEquals(1, back.calls.get("remove", "d" + i));
            }
            awaitAsleep(runner);
            assertNoErrors();
        }
        finally
        {
            idle.shutdown();
            runner.close();
        }
    }
}
