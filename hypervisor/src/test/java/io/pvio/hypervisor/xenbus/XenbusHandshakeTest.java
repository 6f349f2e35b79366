package io.pvio.hypervisor.xenbus;

import io.pvio.hypervisor.ScriptedGuest;
import io.pvio.hypervisor.TestHypervisor;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.xenstore.XenStore;
import io.pvio.hypervisor.xenstore.XenStoreClient;
import io.pvio.hypervisor.xenstore.XsDomainRingServer;
import io.pvio.hypervisor.xenstore.XsGuestRing;
import io.pvio.hypervisor.xenstore.XsQuota;
import io.pvio.hypervisor.xenstore.XsRingClient;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The xenbus handshake for a device type written only against the framework: attach, detach, reattach, restart. */
class XenbusHandshakeTest
{
    private static final Duration WAIT = Duration.ofSeconds(15);

    private TestHypervisor t;
    private XenStore store;
    private XenbusToolstack toolstack;
    private XenbusClient observer;
    private Domain guest;
    private GrantAccess grants;
    private EchoDevice.Front front;
    private EchoDevice.Back back;
    private AgentRunner frontRunner;
    private AgentRunner backRunner;
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp()
    {
        t = TestHypervisor.boot(256);
        store = new XenStore(XsQuota.defaults());
        final XenStoreClient dom0 = new XenStoreClient(store, 0, true);
        toolstack = new XenbusToolstack(dom0);
        observer = new XenbusClient(dom0);
        guest = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])).maxPages(64));
        toolstack.createHome(guest.domid());
        grants = new GrantAccess(guest.guestMemory(), guest.startInfo());

        front = new EchoDevice.Front(guest, grants, 1);
        final XenbusFrontendBus frontBus = new XenbusFrontendBus(new XenStoreClient(store, guest.domid(), false),
            errors::add);
        frontBus.register(front);
        frontRunner = start(frontBus);
        backRunner = startBackend();
    }

    private AgentRunner startBackend()
    {
        back = new EchoDevice.Back(t.dom0Hypercalls(), 2);
        final XenbusBackendBus backBus = new XenbusBackendBus(new XenStoreClient(store, 0, true), errors::add);
        backBus.register(back);
        return start(backBus);
    }

    private AgentRunner start(final org.agrona.concurrent.Agent agent)
    {
        final AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(1), errors::add, null, agent);
        AgentRunner.startOnThread(runner);
        return runner;
    }

    @AfterEach
    void tearDown()
    {
        frontRunner.close();
        backRunner.close();
        t.close();
    }

    private XenbusDevice device(final String id)
    {
        return new XenbusDevice(EchoDevice.TYPE, id, guest.domid(), 0);
    }

    private void awaitConnected(final XenbusDevice device)
    {
        await().atMost(WAIT).failFast(() -> !errors.isEmpty()).until(() ->
            observer.readState(device.frontendPath()) == XenbusState.CONNECTED &&
            observer.readState(device.backendPath()) == XenbusState.CONNECTED &&
            back.magic(device.id()) == EchoDevice.MAGIC);
    }

    @Test
    void attachConnectsWithNegotiatedMultiPageRing()
    {
        final int freeRefs = grants.freeRefCount();
        final XenbusDevice device = device("0");
        toolstack.attach(device);
        awaitConnected(device);
        assertEquals("1", observer.xs().read(0, device.frontendPath() + "/ring-page-order"));
        assertEquals("2", observer.xs().read(0, device.backendPath() + "/max-ring-page-order"));
        assertEquals(2, back.rings.get("0").pageCount());
        assertEquals(freeRefs - 2, grants.freeRefCount());
        assertEquals(1, front.calls.get("probe", "0"));
        assertEquals(1, back.calls.get("connect", "0"));
    }

    @Test
    void detachClosesBothEndsReleasesEverythingAndReattachConnectsAgain()
    {
        final int freeRefs = grants.freeRefCount();
        final XenbusDevice device = device("1");
        toolstack.attach(device);
        awaitConnected(device);

        toolstack.detach(device);
        await().atMost(WAIT).until(() -> toolstack.isClosed(device));
        assertEquals(XenbusState.CLOSED, observer.readState(device.frontendPath()));
        toolstack.remove(device);
        await().atMost(WAIT).until(() -> front.calls.get("remove", "1") == 1 && back.calls.get("remove", "1") == 1);
        assertTrue(back.rings.isEmpty());
        assertTrue(front.rings.isEmpty());
        assertEquals(freeRefs, grants.freeRefCount());

        toolstack.attach(device);
        awaitConnected(device);
        assertEquals(2, front.calls.get("probe", "1"));
        assertEquals(2, back.calls.get("connect", "1"));
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void aDeviceRemovedWhileAnEndStepsIsNotCreatedAgain()
    {
        final int freeRefs = grants.freeRefCount();
        final XenbusDevice device = device("5");
        toolstack.attach(device);
        awaitConnected(device);

        // the toolstack removes the device at the instant the front end, having read the back end's Closing, lets
        // go of its ring and is about to write its own Closing: that write must not create the directory again
        // (it would stay forever, and the toolstack's wait for its removal would never end)
        front.onDisconnect = () ->
        {
            front.onDisconnect = () -> { };
            toolstack.remove(device);
        };
        toolstack.detach(device);
        await().atMost(WAIT).until(() -> front.calls.get("remove", "5") == 1 && back.calls.get("remove", "5") == 1);
        assertFalse(observer.xs().exists(0, device.frontendPath()), () -> observer.xs().read(0,
            device.frontendPath() + "/state"));
        assertFalse(observer.xs().exists(0, device.backendPath()));
        assertTrue(front.rings.isEmpty());
        assertTrue(back.rings.isEmpty());
        await().atMost(WAIT).until(() -> grants.freeRefCount() == freeRefs);
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void twoDevicesHotplugIndependently()
    {
        final XenbusDevice a = device("a");
        final XenbusDevice b = device("b");
        toolstack.attach(a);
        awaitConnected(a);
        toolstack.attach(b);
        awaitConnected(b);
        toolstack.detach(a);
        await().atMost(WAIT).until(() -> toolstack.isClosed(a));
        toolstack.remove(a);
        await().atMost(WAIT).until(() -> back.calls.get("remove", "a") == 1);
        assertEquals(XenbusState.CONNECTED, observer.readState(b.backendPath()));
        assertEquals(EchoDevice.MAGIC, back.magic("b"));
    }

    @Test
    void restartedBackEndReconnects()
    {
        final XenbusDevice device = device("7");
        toolstack.attach(device);
        awaitConnected(device);
        final EchoDevice.Back first = back;

        backRunner.close();
        assertTrue(first.rings.isEmpty());
        assertEquals(XenbusState.CONNECTED, observer.readState(device.backendPath()));
        backRunner = startBackend();

        awaitConnected(device);
        assertEquals(1, back.calls.get("connect", "7"));
        assertEquals(2, front.calls.get("initialise", "7"));
        assertEquals(1, front.calls.get("disconnect", "7"));
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void frontEndReachesXenStoreThroughItsOwnRing()
    {
        frontRunner.close();
        final XsDomainRingServer rings = new XsDomainRingServer(store, t.dom0Hypercalls(), errors::add);
        final AgentRunner ringRunner = start(rings);
        try
        {
            final long storeGfn = guest.startInfo().nrPages() - 1;
            final int port = XsGuestRing.share(guest.guestMemory().frame(storeGfn), storeGfn, grants,
                guest.hypercalls());
            assertTrue(rings.introduce(guest.domid(), port));
            await().atMost(WAIT).until(() -> store.isIntroduced(guest.domid()));
            final XsRingClient ringClient = new XsRingClient(new XsGuestRing(guest.guestMemory().frame(storeGfn)),
                guest.hypercalls(), port, new SleepingIdleStrategy(100_000), SystemNanoClock.INSTANCE,
                TimeUnit.SECONDS.toNanos(10));
            front = new EchoDevice.Front(guest, grants, 0);
            final XenbusFrontendBus ringBus = new XenbusFrontendBus(ringClient, errors::add);
            ringBus.register(front);
            frontRunner = start(ringBus);

            final XenbusDevice device = device("ring");
            toolstack.attach(device);
            awaitConnected(device);
            assertEquals(1, back.rings.get("ring").pageCount());
            toolstack.detach(device);
            await().atMost(WAIT).until(() -> toolstack.isClosed(device));
            toolstack.remove(device);
            await().atMost(WAIT).until(() -> front.calls.get("remove", "ring") == 1);
            assertTrue(errors.isEmpty(), errors::toString);
        }
        finally
        {
            frontRunner.close();
            ringRunner.close();
        }
    }

    @Test
    void hostileFrontEndDetailsCloseTheDeviceWithAnError()
    {
        final XenbusDevice device = device("9");
        final XenStoreClient guestXs = new XenStoreClient(store, guest.domid(), false);
        frontRunner.close();
        toolstack.attach(device);
        await().atMost(WAIT).until(() -> observer.readState(device.backendPath()) == XenbusState.INIT_WAIT);
        guestXs.write(device.frontendPath() + "/ring-page-order", "9");
        guestXs.write(device.frontendPath() + "/state", XenbusState.INITIALISED.text());
        await().atMost(WAIT).until(() -> observer.readState(device.backendPath()) == XenbusState.CLOSING);
        assertTrue(observer.xs().read(0, device.backendPath() + "/error").contains("ring-page-order"));
        assertFalse(errors.isEmpty());
        assertTrue(back.rings.isEmpty());
        frontRunner = start(new XenbusFrontendBus(guestXs, e -> { }));
    }

    @Test
    void aMultiPageRingOfScatteredFramesIsRefusedAndNothingStaysMapped()
    {
        final XenbusDevice device = device("scattered");
        final XenStoreClient guestXs = new XenStoreClient(store, guest.domid(), false);
        frontRunner.close();
        toolstack.attach(device);
        await().atMost(WAIT).until(() -> observer.readState(device.backendPath()) == XenbusState.INIT_WAIT);
        // two pages granted one at a time: not one extent, so their frames are not consecutive
        final long[] gfns = new long[2];
        guest.hypercalls().memory().populatePhysmap(io.pvio.hypervisor.domain.DomainId.SELF, new long[] {50}, 1);
        guest.hypercalls().memory().populatePhysmap(io.pvio.hypervisor.domain.DomainId.SELF, new long[] {30}, 1);
        guest.hypercalls().memory().populatePhysmap(io.pvio.hypervisor.domain.DomainId.SELF, new long[] {51}, 1);
        gfns[0] = 50;
        gfns[1] = 51;
        final int port = guest.hypercalls().eventChannel().allocUnbound(0);
        guestXs.write(device.frontendPath() + "/ring-page-order", "1");
        guestXs.write(device.frontendPath() + "/ring-ref0", Integer.toString(grants.grantAccess(0, gfns[0], false)));
        guestXs.write(device.frontendPath() + "/ring-ref1", Integer.toString(grants.grantAccess(0, gfns[1], false)));
        guestXs.write(device.frontendPath() + "/event-channel", Integer.toString(port));
        guestXs.write(device.frontendPath() + "/state", XenbusState.INITIALISED.text());
        await().atMost(WAIT).until(() -> observer.readState(device.backendPath()) == XenbusState.CLOSING);
        assertTrue(observer.xs().read(0, device.backendPath() + "/error").contains("not machine-contiguous"),
            () -> observer.xs().read(0, device.backendPath() + "/error"));
        assertEquals(0, t.dom0Hypercalls().grantTable().mappingsHeld(), "both pages unmapped again");
        assertTrue(back.rings.isEmpty());
        frontRunner = start(new XenbusFrontendBus(guestXs, e -> { }));
    }

    @Test
    void frontEndThatLiedAndThenClosedMayConnectAgain()
    {
        final XenbusDevice device = device("lied");
        final XenStoreClient guestXs = new XenStoreClient(store, guest.domid(), false);
        frontRunner.close();
        toolstack.attach(device);
        await().atMost(WAIT).until(() -> observer.readState(device.backendPath()) == XenbusState.INIT_WAIT);
        guestXs.write(device.frontendPath() + "/ring-page-order", "9");
        guestXs.write(device.frontendPath() + "/state", XenbusState.INITIALISED.text());
        await().atMost(WAIT).until(() -> observer.readState(device.backendPath()) == XenbusState.CLOSING);
        errors.clear();

        // before: the device stayed failed in Closing for good (and could never be detached cleanly)
        guestXs.write(device.frontendPath() + "/state", XenbusState.CLOSED.text());
        await().atMost(WAIT).until(() -> observer.readState(device.backendPath()) == XenbusState.INIT_WAIT);
        guestXs.rm(0, device.frontendPath() + "/ring-page-order");
        frontRunner = start(new XenbusFrontendBus(guestXs, errors::add));
        ((XenbusFrontendBus)frontRunner.agent()).register(front);
        awaitConnected(device);
    }

    @Test
    void driverThatFailsAfterMappingGivesTheMappingBackAtOnce()
    {
        backRunner.close();
        back = new EchoDevice.Back(t.dom0Hypercalls(), 2);
        final EchoDevice.Back inner = back;
        final AtomicBoolean failNext = new AtomicBoolean(true);
        final List<String> log = new CopyOnWriteArrayList<>();
        final List<Throwable> expected = new CopyOnWriteArrayList<>();
        final XenbusBackendBus bus = new XenbusBackendBus(new XenStoreClient(store, 0, true), expected::add);
        bus.register(new XenbusBackendDriver()
        {
            @Override
            public String deviceType()
            {
                return inner.deviceType();
            }

            @Override
            public XenbusNegotiation probe(final XenbusDevice device)
            {
                return inner.probe(device);
            }

            @Override
            public XenbusNegotiation connect(final XenbusDevice device, final XenbusTransaction frontend)
            {
                final XenbusNegotiation published = inner.connect(device, frontend);
                log.add("connect " + inner.rings.get(device.id()).pageCount());
                if (failNext.getAndSet(false))
                {
                    log.add("fail");
                    // e.g. a later key out of range, found after the ring was mapped
                    throw new XenbusProtocolException(frontend.path("multi-queue-num-queues") + " = 0");
                }
                return published;
            }

            @Override
            public void disconnect(final XenbusDevice device)
            {
                log.add("disconnect");
                inner.disconnect(device);
            }

            @Override
            public void remove(final XenbusDevice device)
            {
                inner.remove(device);
            }
        });
        backRunner = start(bus);

        final XenbusDevice device = device("flaky");
        toolstack.attach(device);
        // the well-behaved front end closes on our Closing, we reset, and it connects at the second try
        awaitConnected(device);
        // before: the failed device stayed in Closing for good, its two mapped pages and bound port held until
        // the toolstack removed it
        assertEquals(List.of("connect 2", "fail", "disconnect", "connect 2"), log);
        assertEquals(1, expected.size());
    }

    @Test
    void backEndServesMoreDevicesThanTheGuestWatchQuota()
    {
        // before: dom0's back-end bus holds one watch per device and hit the per-connection watch quota at 127
        // devices, after which discovery threw on every rescan and no device of that back end was stepped any more
        frontRunner.close(); // the guest has neither the memory nor the watch quota for this many rings
        final int count = XsQuota.defaults().maxWatchesPerConnection() + 2;
        for (int i = 0; i < count; i++)
        {
            toolstack.attach(device("q" + i));
        }
        await().atMost(WAIT).failFast(() -> !errors.isEmpty()).until(() ->
        {
            for (int i = 0; i < count; i++)
            {
                if (observer.readState(device("q" + i).backendPath()) != XenbusState.INIT_WAIT)
                {
                    return false;
                }
            }
            return true;
        });
        assertTrue(errors.isEmpty(), errors::toString);
    }
}
