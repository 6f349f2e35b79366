package io.pvio.hypervisor.xenstore;

import io.pvio.ring.xenstore.XsWireDescriptor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.pvio.hypervisor.xenstore.XsTwoGuests.assertErrno;
import static io.pvio.hypervisor.xenstore.XsTwoGuests.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Regression tests: what a hostile guest must not be able to do to the store or to other domains. */
class XsHostileGuestTest
{
    private static final XsQuota SMALL = new XsQuota(20, 4, 10, 64, 8);

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
    void mkdirOnAnotherDomainsExistingNodeIsRefusedAndFiresNothing()
    {
        dom2.write("device/state", "4");
        dom2.watch("device", "mine");
        dom0.watch("/local/domain/2/device/state", "backend");
        drain(dom2);
        drain(dom0);

        // before: OK, and both watchers saw a change that never happened (cross-domain watch firing at will)
        assertErrno(XsErrno.EACCES, () -> dom1.mkdir(0, "/local/domain/2/device/state"));
        assertErrno(XsErrno.EACCES, () -> dom1.mkdir(0, "/local/domain/2"));
        assertEquals(List.of(), drain(dom2));
        assertEquals(List.of(), drain(dom0));

        // the owner's own mkdir of an existing node changes nothing either
        dom2.mkdir(0, "device");
        assertEquals(List.of(), drain(dom2));
        assertEquals("4", dom2.read("device/state"));
    }

    @Test
    void guestCannotGiveItsNodesToAnotherDomain()
    {
        final int dom2Owned = store.nodesOwnedBy(2);
        dom1.write("gift", "x");
        // before: accepted; dom1 could move nodes off its quota and onto dom2's until dom2 could create nothing
        assertErrno(XsErrno.EPERM, () -> dom1.setPerms(0, "gift", XsPermissions.of(2, 'n')));
        assertErrno(XsErrno.EPERM, () -> dom1.setPerms(0, "gift", XsPermissions.of(0, 'n')));
        assertEquals(dom2Owned, store.nodesOwnedBy(2));
        assertEquals(1, dom0.getPerms(0, "/local/domain/1/gift").owner());
        // same owner, other entries: still the owner's right
        dom1.setPerms(0, "gift", new XsPermissions(new char[] {'n', 'r'}, new int[] {1, 2}));
        assertEquals("x", dom2.read("/local/domain/1/gift"));
    }

    @Test
    void transactionThatAccessesTooManyPathsIsRefusedAndCannotCommit()
    {
        store = new XenStore(XsQuota.defaults());
        final XenStoreClient guest = new XenStoreClient(store, 1, false);
        final int tx = guest.transactionStart();
        // before: every distinct path read was remembered until the end, without limit
        final XsException refused = assertThrows(XsException.class, () ->
        {
            for (int i = 0; i <= XsTransaction.MAX_TOUCHED_PATHS; i++)
            {
                guest.exists(tx, "/local/domain/7/probe-" + i);
            }
        });
        assertEquals(XsErrno.ENOSPC, refused.errno());
        assertErrno(XsErrno.ENOSPC, () -> guest.transactionEnd(tx, true));
        assertErrno(XsErrno.ENOENT, () -> guest.transactionEnd(tx, false));

        // dom0 (privileged) is not bounded
        final XenStoreClient privileged = new XenStoreClient(store, 0, true);
        final int tx0 = privileged.transactionStart();
        for (int i = 0; i <= XsTransaction.MAX_TOUCHED_PATHS; i++)
        {
            privileged.exists(tx0, "/tool/probe-" + i);
        }
        privileged.transactionEnd(tx0, true);
    }

    @Test
    void concurrentTransactionsCannotTogetherExceedTheNodeQuota()
    {
        dom1.mkdir(0, "a");
        dom1.mkdir(0, "b");
        final int free = SMALL.maxNodesPerDomain() - store.nodesOwnedBy(1);
        final int first = dom1.transactionStart();
        final int second = dom1.transactionStart();
        for (int i = 0; i < free; i++)
        {
            // disjoint paths under different parents: the two transactions do not conflict
            dom1.write(first, "a/" + i, "v");
            dom1.write(second, "b/" + i, "v");
        }
        dom1.transactionEnd(first, true);
        // before: committed too, leaving dom1 owning twice its quota
        assertErrno(XsErrno.ENOSPC, () -> dom1.transactionEnd(second, true));
        assertEquals(SMALL.maxNodesPerDomain(), store.nodesOwnedBy(1));
    }

    @Test
    void transactionsDoNotCopyTheStore()
    {
        store = new XenStore(XsQuota.defaults());
        final XenStoreClient privileged = new XenStoreClient(store, 0, true);
        for (int i = 0; i < 200; i++)
        {
            for (int j = 0; j < 500; j++)
            {
                privileged.write("/tool/big/" + i + "/" + j, "v");
            }
        }
        final XenStoreClient guest = new XenStoreClient(store, 1, false);
        // starting a transaction costs nothing per node (XsTreeTest pins the overlay down); many start/abort pairs
        // leave no open transaction behind, so the guest's transaction quota is intact afterwards
        for (int i = 0; i < 20_000; i++)
        {
            guest.transactionEnd(guest.transactionStart(), false);
        }
        final int[] open = new int[XsQuota.defaults().maxTransactionsPerConnection()];
        for (int i = 0; i < open.length; i++)
        {
            open[i] = guest.transactionStart();
        }
        for (final int tx : open)
        {
            guest.transactionEnd(tx, false);
        }

        // what the view reads through to is still checked at commit
        privileged.write("/tool/shared", "0");
        privileged.setPerms(0, "/tool/shared", XsPermissions.of(0, 'b'));
        final int tx = guest.transactionStart();
        privileged.write("/tool/shared", "changed before the guest looked");
        assertEquals("changed before the guest looked", guest.read(tx, "/tool/shared"));
        guest.write(tx, "/tool/shared", "guest");
        privileged.write("/tool/shared", "changed after");
        assertErrno(XsErrno.EAGAIN, () -> guest.transactionEnd(tx, true));
        assertEquals("changed after", privileged.read("/tool/shared"));

        final int clean = guest.transactionStart();
        guest.write(clean, "/tool/shared", "guest");
        final int tx0 = privileged.transactionStart();
        privileged.rm(tx0, "/tool/big/3");
        assertTrue(privileged.exists(0, "/tool/big/3/7"));
        assertEquals(false, privileged.exists(tx0, "/tool/big/3/7"));
        privileged.transactionEnd(tx0, true);
        guest.transactionEnd(clean, true);
        assertEquals("guest", privileged.read("/tool/shared"));
        assertEquals(199, privileged.directory(0, "/tool/big").size());
        assertEquals(false, privileged.exists(0, "/tool/big/3/7"));
    }

    @Test
    void watchEventTooLargeForOneMessageIsDroppedNotThrown()
    {
        final XsRequestHandler handler = new XsRequestHandler(store, store.connect(1, false, "ring"));
        final String token = "t".repeat(3000);
        store.watch(handler.connection(), "/local/domain/1", token);
        assertTrue(handler.pollEvent() > 0);
        final String longName = "n".repeat(1200);
        store.write(handler.connection(), 0, longName, new byte[0]);
        store.write(handler.connection(), 0, "short", new byte[0]);
        // before: E2BIG thrown out of pollEvent, which broke the guest's ring (or dropped the socket client)
        final int length = handler.pollEvent();
        assertEquals(XsWireDescriptor.HEADER_LENGTH + "/local/domain/1/short".length() + 1 + token.length() + 1,
            length);
        assertEquals(1, handler.oversizedEvents());
        assertEquals(0, handler.pollEvent());
    }

    @Test
    void guestCannotProbeWhichNodesExistInAnotherDomain()
    {
        dom2.write("secret", "x");
        // before: EACCES for the node that exists, ENOENT for the one that does not (read, directory, perms, rm)
        assertErrno(XsErrno.EACCES, () -> dom1.read("/local/domain/2/secret"));
        assertErrno(XsErrno.EACCES, () -> dom1.read("/local/domain/2/absent"));
        assertErrno(XsErrno.EACCES, () -> dom1.directory(0, "/local/domain/2/absent/deeper"));
        assertErrno(XsErrno.EACCES, () -> dom1.getPerms(0, "/local/domain/2/absent"));
        assertErrno(XsErrno.EACCES, () -> dom1.rm(0, "/local/domain/2/absent"));
        assertErrno(XsErrno.EACCES, () -> dom1.rm(0, "/local/domain/2/absent/deeper"));
        assertErrno(XsErrno.EACCES, () -> dom1.rm(0, "/local/domain/2/secret"));
        // in its own tree a guest still learns what is missing
        assertErrno(XsErrno.ENOENT, () -> dom1.read("absent"));
        assertErrno(XsErrno.ENOENT, () -> dom1.rm(0, "absent/deeper"));
        dom1.rm(0, "absent");
        assertEquals("x", dom2.read("secret"));
    }
}
