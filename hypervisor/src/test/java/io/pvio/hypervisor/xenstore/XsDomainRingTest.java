package io.pvio.hypervisor.xenstore;

import io.pvio.hypervisor.ScriptedGuest;
import io.pvio.hypervisor.TestHypervisor;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor;
import io.pvio.ring.xenstore.XsWireDescriptor;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guests reaching the store through their XenStore page and event channel, served by dom0's ring server. */
class XsDomainRingTest
{
    private static final Duration WAIT = Duration.ofSeconds(10);

    private TestHypervisor t;
    private XenStore store;
    private XenStoreClient dom0;
    private XsDomainRingServer server;
    private AgentRunner runner;
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp()
    {
        t = TestHypervisor.boot(128);
        store = new XenStore(XsQuota.defaults());
        dom0 = new XenStoreClient(store, 0, true);
        server = new XsDomainRingServer(store, t.dom0Hypercalls(), errors::add);
        runner = new AgentRunner(new SleepingMillisIdleStrategy(1), errors::add, null, server);
        AgentRunner.startOnThread(runner);
    }

    @AfterEach
    void tearDown()
    {
        runner.close();
        t.close();
    }

    /** Boots a guest, shares its XenStore page and has the toolstack introduce it. */
    private XsGuestRing bootGuest()
    {
        final Domain domU = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])));
        final int domid = domU.domid();
        final long gfn = domU.startInfo().nrPages() - 1;
        assertTrue(domU.guestMemory().isPopulated(gfn));
        final AtomicBuffer page = domU.guestMemory().frame(gfn);
        final int port = XsGuestRing.share(page, gfn, new GrantAccess(domU.guestMemory(), domU.startInfo()),
            domU.hypercalls());
        dom0.mkdir(0, store.domainPath(domid));
        dom0.setPerms(0, store.domainPath(domid), XsPermissions.of(domid, 'n'));
        assertTrue(server.introduce(domid, port));
        await().atMost(WAIT).until(() -> store.isIntroduced(domid));
        return new XsGuestRing(page);
    }

    private XsGuestRing.Reply call(final XsGuestRing ring, final int type, final int reqId, final String... args)
    {
        assertTrue(ring.send(type, reqId, 0, args));
        return next(ring);
    }

    private XsGuestRing.Reply write(final XsGuestRing ring, final int reqId, final String path, final String value)
    {
        assertTrue(ring.send(XsWireDescriptor.XS_WRITE, reqId, 0, (path + "\0" + value).getBytes()));
        return next(ring);
    }

    private XsGuestRing.Reply next(final XsGuestRing ring)
    {
        final AtomicReference<XsGuestRing.Reply> reply = new AtomicReference<>();
        await().atMost(WAIT).failFast(() -> errors.size() > 1).until(() ->
        {
            ring.flush();
            reply.set(ring.poll());
            return reply.get() != null;
        });
        return reply.get();
    }

    @Test
    void guestReadsWritesAndWatchesThroughItsRing()
    {
        final XsGuestRing ring = bootGuest();
        final int domid = 1;
        assertEquals("OK\0", write(ring, 1, "device/vbd/0/state", "").text());
        final String big = "v".repeat(2000);
        assertEquals(2, write(ring, 2, "big", big).reqId());
        assertEquals(big, dom0.read(store.domainPath(domid) + "/big"));
        final XsGuestRing.Reply read = call(ring, XsWireDescriptor.XS_READ, 3, "big");
        assertEquals(XsWireDescriptor.XS_READ, read.type());
        assertEquals(big, read.text());

        // the toolstack lets the guest read what it will put there; events only reach readers
        dom0.mkdir(0, store.domainPath(domid) + "/backend");
        dom0.setPerms(0, store.domainPath(domid) + "/backend",
            new XsPermissions(new char[] {'n', 'r'}, new int[] {0, domid}));
        dom0.write(store.domainPath(domid) + "/hidden", "not readable by the guest");
        dom0.setPerms(0, store.domainPath(domid) + "/hidden", XsPermissions.of(0, 'n'));
        assertEquals("OK\0", call(ring, XsWireDescriptor.XS_WATCH, 4, "backend", "tok").text());
        assertEquals("backend\0tok\0", next(ring).text());
        assertTrue(ring.send(XsWireDescriptor.XS_WATCH, 5, 0, "hidden", "h"));
        assertEquals("OK\0", next(ring).text());
        assertEquals("hidden\0h\0", next(ring).text());
        dom0.write(store.domainPath(domid) + "/hidden", "changed, still hidden");
        dom0.write(store.domainPath(domid) + "/backend/x", "1");
        final XsGuestRing.Reply event = next(ring);
        assertEquals(XsWireDescriptor.XS_WATCH_EVENT, event.type());
        assertEquals("backend/x\0tok\0", event.text());
    }

    @Test
    void guestCannotReachOtherDomainsOrPrivilegedOperations()
    {
        final XsGuestRing one = bootGuest();
        final XsGuestRing two = bootGuest();
        dom0.write("/local/domain/2/secret", "s");
        dom0.setPerms(0, "/local/domain/2/secret", XsPermissions.of(2, 'n'));
        assertEquals("EACCES\0", call(one, XsWireDescriptor.XS_READ, 1, "/local/domain/2/secret").text());
        assertEquals("EACCES\0", call(one, XsWireDescriptor.XS_WRITE, 2, "/local/domain/2/x", "v").text());
        assertEquals("EACCES\0", call(one, XsWireDescriptor.XS_INTRODUCE, 3, "9", "1", "1").text());
        assertEquals("EACCES\0", call(one, XsWireDescriptor.XS_WATCH, 4, XsPaths.INTRODUCE_DOMAIN, "t").text());
        assertEquals("s", call(two, XsWireDescriptor.XS_READ, 5, "secret").text());
    }

    @Test
    void hostileGuestGetsErrorsThenIsCutOffAloneOnABadIndex()
    {
        final XsGuestRing hostile = bootGuest();
        final XsGuestRing honest = bootGuest();
        assertEquals(XsWireDescriptor.XS_ERROR, call(hostile, 77, 1, "x").type());
        assertTrue(hostile.send(XsWireDescriptor.XS_READ, 2, 0, new byte[] {'a', 'b'}));
        assertEquals("EINVAL\0", next(hostile).text());

        final AtomicBuffer page = hostileBuffer(hostile);
        page.putIntRelease(XenstoreDomainInterfaceDescriptor.REQ_PROD_OFFSET,
            page.getInt(XenstoreDomainInterfaceDescriptor.REQ_CONS_OFFSET) + 5000);
        await().atMost(WAIT).until(() -> hostile.serverError() == XenstoreDomainInterfaceDescriptor.ERROR_RINGIDX);
        assertFalse(errors.isEmpty());
        assertEquals("OK\0", write(honest, 3, "still", "served").text());
        assertEquals("served", dom0.read("/local/domain/2/still"));
    }

    @Test
    void releaseDropsTheGuestsConnection()
    {
        final XsGuestRing ring = bootGuest();
        call(ring, XsWireDescriptor.XS_WATCH, 1, "a", "t");
        dom0.watch(XsPaths.RELEASE_DOMAIN, "rel");
        assertTrue(server.release(1));
        await().atMost(WAIT).until(() -> !store.isIntroduced(1));
        final List<XsWatchEvent> events = new CopyOnWriteArrayList<>();
        dom0.pollWatchEvents(events::add, 10);
        assertTrue(events.contains(new XsWatchEvent(XsPaths.RELEASE_DOMAIN, "rel")), events::toString);
    }

    private AtomicBuffer hostileBuffer(final XsGuestRing ring)
    {
        return t.hv.domain(1).guestMemory().frame(t.hv.domain(1).startInfo().nrPages() - 1);
    }
}
