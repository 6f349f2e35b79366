package io.pvio.hypervisor.xenbus;

import io.pvio.hypervisor.ScriptedGuest;
import io.pvio.hypervisor.TestHypervisor;
import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.guest.UpcallDispatcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A front end's ring resources: its event channel's handler lives exactly as long as the ring holds the port. */
class XenbusFrontRingTest
{
    private final TestHypervisor t = TestHypervisor.boot(256);

    @AfterEach
    void tearDown()
    {
        t.close();
    }

    @Test
    void releaseUnbindsTheHandlerBeforeClosingThePort()
    {
        final Domain guest = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1]))
            .maxPages(64));
        final GrantAccess grants = new GrantAccess(guest.guestMemory(), guest.startInfo());
        final UpcallDispatcher dispatcher = UpcallDispatcher.of(guest.guestMemory(), guest.startInfo());
        final XenbusFrontRing ring = XenbusFrontRing.claim(guest.hypercalls(), guest.guestMemory(), grants, 0, 0);
        final int port = ring.port();

        ring.bindEvents(dispatcher, p -> { });
        assertTrue(dispatcher.isBound(port));

        assertEquals(0, ring.release(), "nothing mapped it");
        assertFalse(dispatcher.isBound(port), "a port number reused later must not reach this ring's handler");
        assertEquals(-1, ring.port());
        assertThrows(IllegalStateException.class, () -> ring.bindEvents(dispatcher, p -> { }));
        assertEquals(0, ring.release(), "idempotent");
    }
}
