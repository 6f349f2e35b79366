package io.pvio.hypervisor.xenstore;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Test fixture: a store with dom0 and two guests, each owning its {@code /local/domain/<id>} home. */
final class XsTwoGuests
{
    final XenStore store;
    final XenStoreClient dom0;
    final XenStoreClient dom1;
    final XenStoreClient dom2;

    XsTwoGuests(final XsQuota quota)
    {
        store = new XenStore(quota);
        dom0 = new XenStoreClient(store, 0, true);
        for (final int domid : new int[] {1, 2})
        {
            dom0.mkdir(0, "/local/domain/" + domid);
            dom0.setPerms(0, "/local/domain/" + domid, XsPermissions.of(domid, 'n'));
        }
        dom1 = new XenStoreClient(store, 1, false);
        dom2 = new XenStoreClient(store, 2, false);
    }

    static void assertErrno(final XsErrno expected, final Runnable operation)
    {
        assertEquals(expected, assertThrows(XsException.class, operation::run).errno());
    }

    /** Every watch event queued for {@code client}. */
    static List<XsWatchEvent> drain(final XenStoreClient client)
    {
        final List<XsWatchEvent> events = new ArrayList<>();
        client.pollWatchEvents(events::add, 100);
        return events;
    }
}
