package io.pvio.hypervisor;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.domain.DomainState;
import io.pvio.hypervisor.evtchn.PortState;
import io.pvio.hypervisor.evtchn.Virq;
import io.pvio.hypervisor.grant.GrantStatus;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.guest.IdleGuest;
import io.pvio.hypervisor.hypercall.DomctlOp;
import io.pvio.hypervisor.hypercall.Hypercalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Creates and destroys 1,000 running domains, each with an event channel to dom0, a timer VIRQ, a grant dom0 maps
 * (half destroyed while still mapped) and a dom0 grant it maps itself; afterwards nothing is left: frames, vCPU
 * threads, ports, maptrack entries, pins, domain ids.
 */
class LifecycleTest
{
    private static final int DOMAINS = 1_000;
    private static final long DATA_GFN = 5;
    private static final long DOM0_GFN = 6;

    private final TestHypervisor t = TestHypervisor.boot(1024);

    @AfterEach
    void close()
    {
        t.close();
    }

    private static long vcpuThreads()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter((thread) -> thread.isAlive() && thread.getName().startsWith("pvio-vcpu-d"))
            .count();
    }

    @Test
    void thousandDomainsLeaveNothingBehind()
    {
        final Hypercalls dom0 = t.dom0Hypercalls();
        final DomctlOp domctl = dom0.domctl();
        final Domain dom0Domain = t.dom0();
        dom0.eventChannel().bindVirq(Virq.DOM_EXC, 0);
        final GrantAccess dom0Grants = new GrantAccess(dom0Domain.guestMemory(), dom0Domain.startInfo());

        final int freeFrames = t.hv.memory().freeFrameCount();
        final int dom0Ports = t.hv.manager().eventChannels().openPorts(dom0Domain);
        final long threadsBefore = vcpuThreads();
        final DomainConfig config = new DomainConfig().name("churn").memoryPages(8).image(IdleGuest.image());

        for (int i = 0; i < DOMAINS; i++)
        {
            final int domid = domctl.createDomain(config);
            domctl.unpauseDomain(domid);
            final Domain domain = t.hv.domain(domid);
            final Hypercalls guest = domain.hypercalls();

            final int guestPort = guest.eventChannel().allocUnbound(DomainId.DOM0);
            final int dom0Port = dom0.eventChannel().bindInterdomain(domid, guestPort);
            assertEquals(0, dom0.eventChannel().send(dom0Port));
            assertEquals(0, guest.eventChannel().send(guestPort));
            guest.eventChannel().bindVirq(Virq.TIMER, 0);

            final GrantAccess guestGrants = new GrantAccess(domain.guestMemory(), domain.startInfo());
            final int guestRef = guestGrants.grantAccess(DomainId.DOM0, DATA_GFN, false);
            final int dom0Handle = dom0.grantTable().mapGrantRef(domid, guestRef, false);
            assertTrue(dom0Handle >= 0, GrantStatus.message(dom0Handle));
            dom0.grantTable().writableView(dom0Handle).putInt(0, i);

            final int dom0Ref = dom0Grants.grantAccess(domid, DOM0_GFN, true);
            final int guestHandle = guest.grantTable().mapGrantRef(DomainId.DOM0, dom0Ref, true);
            assertTrue(guestHandle >= 0, GrantStatus.message(guestHandle));

            if (i % 2 == 0)
            {
                domctl.destroyDomain(domid);
                assertEquals(i, dom0.grantTable().readOnlyView(dom0Handle).getInt(0), "still mapped after destroy");
                assertEquals(GrantStatus.OKAY, dom0.grantTable().unmapGrantRef(dom0Handle));
            }
            else
            {
                assertEquals(GrantStatus.OKAY, dom0.grantTable().unmapGrantRef(dom0Handle));
                domctl.destroyDomain(domid);
            }
            assertEquals(DomainState.DEAD, domain.state());
            assertTrue(dom0Grants.tryEndAccess(dom0Ref), "the dead guest's mapping of dom0's grant is gone");
            assertEquals(PortState.UNBOUND, dom0.eventChannel().status(dom0Port).state(), "peer sees it closed");
            dom0.eventChannel().close(dom0Port);
        }

        assertEquals(freeFrames, t.hv.memory().freeFrameCount(), "frames");
        assertEquals(dom0Ports, t.hv.manager().eventChannels().openPorts(dom0Domain), "dom0 ports");
        assertEquals(0, dom0Domain.maptrack().inUse(), "dom0 maptrack entries");
        assertEquals(0, dom0Domain.grantTable().pinnedRefs(), "pins on dom0's grants");
        assertEquals(1, t.hv.manager().domains().count(), "domain ids");
        await().atMost(Duration.ofSeconds(10)).until(() -> vcpuThreads() == threadsBefore);
    }
}
