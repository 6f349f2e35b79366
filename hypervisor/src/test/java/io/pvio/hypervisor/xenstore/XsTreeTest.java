package io.pvio.hypervisor.xenstore;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A transaction's view is an overlay: starting one copies nothing, whatever the size of the store. */
class XsTreeTest
{
    @Test
    void anOverlayStartsEmptyAndKeepsOnlyItsOwnChanges()
    {
        final XsTree live = new XsTree();
        for (int i = 0; i < 10_000; i++)
        {
            live.put("/n" + i, new XsNode(XsNode.EMPTY, XsPermissions.of(0, 'n'), List.of(), i));
        }
        final int liveNodes = live.ownNodeCount();

        final XsTree view = live.overlay();
        assertEquals(0, view.ownNodeCount(), "starting a transaction copies no node");
        assertNotNull(view.get("/n42"), "unchanged nodes read through to the live tree");

        view.put("/n42", new XsNode(XsNode.EMPTY, XsPermissions.of(1, 'n'), List.of(), 1));
        view.remove("/n7");
        assertEquals(2, view.ownNodeCount(), "one change and one removal");
        assertNull(view.get("/n7"));
        assertNotNull(live.get("/n7"), "the live tree is untouched until commit");
        assertEquals(0, live.get("/n42").perms().owner());
        assertEquals(liveNodes, live.ownNodeCount());
    }
}
