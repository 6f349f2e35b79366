package io.pvio.hypervisor.xenstore;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.pvio.hypervisor.xenstore.XsTwoGuests.assertErrno;
import static io.pvio.hypervisor.xenstore.XsTwoGuests.drain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Store semantics: permissions, watches, transactions, quotas, as seen through the in-process client. */
class XenStoreTest
{
    private static final XsQuota SMALL = new XsQuota(20, 4, 2, 64, 8);

    private XenStore store;
    private XenStoreClient dom0;
    private XenStoreClient dom1;
    private XenStoreClient dom2;

    @BeforeEach
    void setUp()
    {
        final XsTwoGuests fixture = new XsTwoGuests(SMALL);
        store = fixture.store;
        dom0 = fixture.dom0;
        dom1 = fixture.dom1;
        dom2 = fixture.dom2;
    }

    @Test
    void relativePathsResolveUnderHome()
    {
        dom1.write("data/x", "1");
        assertEquals("1", dom0.read("/local/domain/1/data/x"));
        assertEquals(List.of("x"), dom1.directory(0, "data"));
        assertEquals(1, dom0.getPerms(0, "/local/domain/1/data/x").owner());
    }

    @Test
    void nodesCreatedByDom0InheritTheParentsOwner()
    {
        dom0.write("/local/domain/1/name", "guest1");
        assertEquals(1, dom0.getPerms(0, "/local/domain/1/name").owner());
        assertEquals("guest1", dom1.read("name"));
        assertErrno(XsErrno.EACCES, () -> dom2.read("/local/domain/1/name"));
    }

    @Test
    void domUCannotReadOrWriteAnotherDomainsNodes()
    {
        dom2.write("secret", "s");
        assertErrno(XsErrno.EACCES, () -> dom1.read("/local/domain/2/secret"));
        assertErrno(XsErrno.EACCES, () -> dom1.directory(0, "/local/domain/2"));
        assertErrno(XsErrno.EACCES, () -> dom1.write("/local/domain/2/secret", "x"));
        assertErrno(XsErrno.EACCES, () -> dom1.write("/local/domain/2/new", "x"));
        assertErrno(XsErrno.EACCES, () -> dom1.rm(0, "/local/domain/2/secret"));
        assertErrno(XsErrno.EACCES, () -> dom1.write("/vm/x", "x"));
        assertErrno(XsErrno.EPERM, () -> dom1.setPerms(0, "/local/domain/2/secret", XsPermissions.of(1, 'b')));
        assertFalse(dom1.exists(0, "/local/domain/2/secret"));
        assertEquals("s", dom0.read("/local/domain/2/secret"));
    }

    @Test
    void permissionEntriesGrantPerDomainAccess()
    {
        dom0.write("/local/domain/2/shared", "v");
        dom0.setPerms(0, "/local/domain/2/shared", new XsPermissions(new char[] {'n', 'r'}, new int[] {2, 1}));
        assertEquals("v", dom1.read("/local/domain/2/shared"));
        assertErrno(XsErrno.EACCES, () -> dom1.write("/local/domain/2/shared", "x"));
        dom2.setPerms(0, "shared", new XsPermissions(new char[] {'n', 'b'}, new int[] {2, 1}));
        dom1.write("/local/domain/2/shared", "x");
        assertEquals("x", dom2.read("shared"));
    }

    @Test
    void watchFiresOnceAtRegistrationThenOnSubtreeChanges()
    {
        dom0.watch("/local/domain/1", "tok");
        assertEquals(List.of(new XsWatchEvent("/local/domain/1", "tok")), drain(dom0));
        dom1.write("a/b", "1");
        dom0.write("/local/domain/10", "not below");
        assertEquals(List.of(new XsWatchEvent("/local/domain/1/a/b", "tok")), drain(dom0));
        dom0.watch("/local/domain/1/a/b", "below");
        drain(dom0);
        dom1.rm(0, "a");
        assertEquals(List.of(new XsWatchEvent("/local/domain/1/a", "tok"),
            new XsWatchEvent("/local/domain/1/a/b", "below")), drain(dom0));
        dom0.unwatch("/local/domain/1/a/b", "below");
        dom0.unwatch("/local/domain/1", "tok");
        dom1.write("c", "1");
        assertEquals(List.of(), drain(dom0));
    }

    @Test
    void relativeWatchReportsRelativePathsAndHidesUnreadableNodes()
    {
        dom1.watch("device", "d");
        dom1.watch("/local/domain/2", "spy");
        drain(dom1);
        dom1.write("device/vbd/0/state", "1");
        dom2.write("private", "p");
        assertEquals(List.of(new XsWatchEvent("device/vbd/0/state", "d")), drain(dom1));
    }

    @Test
    void specialWatchesArePrivilegedAndFireOnIntroduceAndRelease()
    {
        assertErrno(XsErrno.EACCES, () -> dom1.watch(XsPaths.INTRODUCE_DOMAIN, "i"));
        dom0.watch(XsPaths.INTRODUCE_DOMAIN, "i");
        dom0.watch(XsPaths.RELEASE_DOMAIN, "r");
        drain(dom0);
        dom0.introduceDomain(1);
        assertTrue(store.isIntroduced(1));
        assertEquals(List.of(new XsWatchEvent(XsPaths.INTRODUCE_DOMAIN, "i")), drain(dom0));
        assertErrno(XsErrno.EACCES, () -> dom1.introduceDomain(3));
        dom0.releaseDomain(1);
        assertEquals(List.of(new XsWatchEvent(XsPaths.RELEASE_DOMAIN, "r")), drain(dom0));
        assertErrno(XsErrno.EINVAL, () -> dom1.read("x"));
    }

    @Test
    void transactionSeesItsSnapshotAndCommitsAtomically()
    {
        dom0.write("/tool/a", "old");
        dom0.watch("/tool", "w");
        drain(dom0);
        final int tx = dom1.transactionStart();
        dom0.write("/tool/unrelated", "x");
        drain(dom0);
        final int tx0 = dom0.transactionStart();
        dom0.write(tx0, "/tool/a", "in-tx");
        dom0.write(tx0, "/tool/b", "new");
        assertEquals("old", dom0.read("/tool/a"));
        assertNull(dom0.readOrNull(0, "/tool/b"));
        assertEquals(List.of(), drain(dom0));
        dom0.transactionEnd(tx0, true);
        assertEquals("in-tx", dom0.read("/tool/a"));
        assertEquals("new", dom0.read("/tool/b"));
        assertTrue(drain(dom0).contains(new XsWatchEvent("/tool/b", "w")));
        dom1.transactionEnd(tx, false);
    }

    @Test
    void conflictingCommitFailsWithEagainAndDisjointOneSucceeds()
    {
        dom1.write("x", "0");
        dom1.write("y", "0");
        final int tx = dom1.transactionStart();
        assertEquals("0", dom1.read(tx, "x"));
        dom1.write(tx, "x", "tx");
        dom0.write("/local/domain/1/x", "outside");
        assertErrno(XsErrno.EAGAIN, () -> dom1.transactionEnd(tx, true));
        assertEquals("outside", dom1.read("x"));

        final int disjoint = dom1.transactionStart();
        dom1.write(disjoint, "y", "tx");
        dom0.write("/tool/elsewhere", "z");
        dom1.transactionEnd(disjoint, true);
        assertEquals("tx", dom1.read("y"));
        assertErrno(XsErrno.ENOENT, () -> dom1.transactionEnd(disjoint, true));
    }

    @Test
    void transactionHelperRetriesOnEagain()
    {
        dom1.write("counter", "0");
        final int[] attempts = {0};
        dom1.transaction(tx ->
        {
            final int value = Integer.parseInt(dom1.read(tx, "counter"));
            if (++attempts[0] < 3)
            {
                dom0.write("/local/domain/1/counter", Integer.toString(value + 10));
            }
            dom1.write(tx, "counter", Integer.toString(value + 1));
            return null;
        });
        assertEquals(3, attempts[0]);
        assertEquals("21", dom1.read("counter"));
    }

    @Test
    void transactionsAndWatchesAreDroppedWhenTheConnectionCloses()
    {
        final int tx = dom1.transactionStart();
        dom1.write(tx, "pending", "1");
        dom1.watch("x", "t");
        dom1.close();
        assertFalse(dom0.exists(0, "/local/domain/1/pending"));
        final XenStoreClient again = new XenStoreClient(store, 1, false);
        again.write("x", "1");
        assertEquals(0, store.droppedEvents(store.connect(1, false, "probe")));
        assertEquals(List.of(new XsWatchEvent("x", "u")), registerAndDrain(again));
    }

    private static List<XsWatchEvent> registerAndDrain(final XenStoreClient client)
    {
        client.watch("x", "u");
        return drain(client);
    }

    @Test
    void quotasBoundWhatAGuestCanTake()
    {
        final int before = store.nodesOwnedBy(1);
        final XsException full = assertThrows(XsException.class, () ->
        {
            for (int i = 0; i < 100; i++)
            {
                dom1.write("n" + i, "v");
            }
        });
        assertEquals(XsErrno.ENOSPC, full.errno());
        assertEquals(SMALL.maxNodesPerDomain(), store.nodesOwnedBy(1));
        assertTrue(before < SMALL.maxNodesPerDomain());
        assertErrno(XsErrno.ENOSPC, () -> dom1.mkdir(0, "one-more"));
        for (int i = 0; i < SMALL.maxNodesPerDomain(); i++)
        {
            dom0.write("/tool/dom0-is-exempt-" + i, "v");
        }

        assertErrno(XsErrno.E2BIG, () -> dom2.write("big", "x".repeat(SMALL.maxValueBytes() + 1)));
        dom2.transactionStart();
        dom2.transactionStart();
        assertErrno(XsErrno.ENOSPC, dom2::transactionStart);
        for (int i = 0; i < SMALL.maxWatchesPerConnection(); i++)
        {
            dom2.watch("w" + i, "t");
        }
        assertErrno(XsErrno.E2BIG, () -> dom2.watch("one-more", "t"));
        for (int i = 0; i < 20; i++)
        {
            dom2.write("w0", Integer.toString(i));
        }
        assertEquals(SMALL.maxPendingEvents(), drain(dom2).size());
        assertEquals(20 + SMALL.maxWatchesPerConnection() - SMALL.maxPendingEvents(), dom2.droppedWatchEvents());
    }

    @Test
    void theSignalRunsOnceTheEventIsQueuedOrDroppedAndOnlyForItsOwnConnection()
    {
        final XsConnection sleeper = store.connect(2, false, "sleeper");
        final List<Integer> queuedAtSignal = new ArrayList<>();
        // what the owner would see if it polled the instant it is signalled
        store.signalOnEvent(sleeper, () -> queuedAtSignal.add(sleeper.events.size()));
        store.watch(sleeper, "w", "t");
        assertEquals(List.of(1), queuedAtSignal, "the initial event is queued before the signal");

        dom0.watch("/local/domain/2/w", "other");
        dom1.write("elsewhere", "x");
        dom2.write("not-watched", "x");
        assertEquals(List.of(1), queuedAtSignal, "other connections' events and unwatched changes: no signal");

        for (int i = 0; i < SMALL.maxPendingEvents() + 1; i++)
        {
            dom2.write("w", Integer.toString(i));
        }
        // 1 .. 8 queued, then two dropped: the owner is still told, and still has the full queue to take
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 8, 8), queuedAtSignal);
        assertEquals(2, store.droppedEvents(sleeper));
        while (store.pollEvent(sleeper) != null)
        {
            assertEquals(10, queuedAtSignal.size(), "taking events signals nothing");
        }

        store.signalOnEvent(sleeper, null);
        dom2.write("w", "unsignalled");
        assertEquals(10, queuedAtSignal.size());
        final int[] late = new int[1];
        store.signalOnEvent(sleeper, () -> late[0]++);
        assertEquals(1, late[0], "a signal set over a queued event runs at once: the owner may already sleep");

        store.disconnect(sleeper);
        dom2.write("w", "after close");
        assertEquals(1, late[0]);
    }

    @Test
    void theInProcessClientSignals()
    {
        final int[] signals = new int[1];
        assertTrue(dom1.signalOnWatchEvent(() -> signals[0]++));
        dom1.watch("x", "t");
        dom1.write("x", "1");
        assertEquals(2, signals[0]);
        assertEquals(2, drain(dom1).size());
    }

    @Test
    void valuesRoundTripAsBytesAndRootCannotBeRemoved()
    {
        final byte[] value = {0, 1, (byte)0xFF, 10};
        dom0.writeBytes(0, "/tool/bin", value);
        assertArrayEquals(value, dom0.readBytes(0, "/tool/bin"));
        assertErrno(XsErrno.EINVAL, () -> dom0.rm(0, "/"));
        assertErrno(XsErrno.EINVAL, () -> dom0.write("/bad//path", "x"));
        assertErrno(XsErrno.EINVAL, () -> dom0.write("/bad/", "x"));
        assertErrno(XsErrno.EINVAL, () -> dom0.write("/bad path", "x"));
        assertErrno(XsErrno.ENOENT, () -> dom0.rm(0, "/no/such"));
        dom0.rm(0, "/tool/no-such-but-parent-exists");
    }
}
