package io.pvio.hypervisor.guest;

import io.pvio.hypervisor.ScriptedGuest;
import io.pvio.hypervisor.TestHypervisor;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.ring.grant.GrantEntryV1Descriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GrantAccessTest
{
    private final TestHypervisor t = TestHypervisor.boot(64);
    private final Domain domU = t.createRunning(
        TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])).grantFrames(2).memoryPages(8));
    private final GrantAccess grants = new GrantAccess(domU.guestMemory(), domU.startInfo());

    @AfterEach
    void close()
    {
        t.close();
    }

    @Test
    void handsOutUnreservedRefsUntilExhausted()
    {
        assertEquals(1024, grants.entryCount());
        assertEquals(2, domU.hypercalls().grantTable().querySize());
        final Set<Integer> refs = new HashSet<>();
        while (grants.freeRefCount() > 0)
        {
            final int ref = grants.grantAccess(DomainId.DOM0, 5, false);
            assertTrue(ref >= GrantEntryV1Descriptor.FIRST_UNRESERVED_REF && ref < 1024);
            assertTrue(refs.add(ref));
        }
        assertEquals(1024 - GrantEntryV1Descriptor.GNTTAB_NR_RESERVED_ENTRIES, refs.size());
        assertThrows(IllegalStateException.class, () -> grants.grantAccess(DomainId.DOM0, 5, false));
        assertTrue(grants.tryEndAccess(900));
        assertEquals(900, grants.grantAccess(DomainId.DOM0, 5, false));
    }

    @Test
    void reservedRefsAreGrantedExplicitly()
    {
        grants.grantAccessAt(GrantEntryV1Descriptor.GNTTAB_RESERVED_XENSTORE, DomainId.DOM0, 3, false);
        assertThrows(IllegalArgumentException.class,
            () -> grants.grantAccessAt(GrantEntryV1Descriptor.GNTTAB_RESERVED_XENSTORE, DomainId.DOM0, 3, false));
        assertThrows(IllegalArgumentException.class, () -> grants.grantAccessAt(100, DomainId.DOM0, 3, false));
        final int handle = t.dom0Hypercalls().grantTable()
            .mapGrantRef(domU.domid(), GrantEntryV1Descriptor.GNTTAB_RESERVED_XENSTORE, false);
        assertTrue(handle >= 0);
        assertTrue(grants.isInUse(GrantEntryV1Descriptor.GNTTAB_RESERVED_XENSTORE));
        t.dom0Hypercalls().grantTable().unmapGrantRef(handle);
        assertTrue(grants.tryEndAccess(GrantEntryV1Descriptor.GNTTAB_RESERVED_XENSTORE));
        assertFalse(grants.isInUse(GrantEntryV1Descriptor.GNTTAB_RESERVED_XENSTORE));
        assertThrows(IllegalArgumentException.class,
            () -> grants.tryEndAccess(GrantEntryV1Descriptor.GNTTAB_RESERVED_XENSTORE));
    }

    @Test
    void refsInTheSecondFrameWork()
    {
        int ref = -1;
        while (ref < 600)
        {
            ref = grants.grantAccess(DomainId.DOM0, 6, false);
        }
        domU.guestMemory().frame(6).putInt(0, 99);
        final int handle = t.dom0Hypercalls().grantTable().mapGrantRef(domU.domid(), ref, true);
        assertEquals(99, t.dom0Hypercalls().grantTable().readOnlyView(handle).getInt(0));
    }
}
