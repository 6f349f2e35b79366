package io.pvio.hypervisor;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainConfig;
import io.pvio.hypervisor.domain.DomainState;
import io.pvio.hypervisor.domain.ShutdownReason;
import io.pvio.hypervisor.evtchn.Virq;
import io.pvio.hypervisor.guest.IdleGuest;
import io.pvio.hypervisor.guest.UpcallDispatcher;
import io.pvio.ring.SharedMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The whole hypervisor with real threads: dom0, the reaper and every vCPU on their own threads. */
class HypervisorTest
{
    private static boolean anyVcpuThread()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .anyMatch((thread) -> thread.isAlive() && thread.getName().startsWith("pvio-vcpu-d"));
    }

    @Test
    void machineMemoryInAFileIsVisibleToAnotherMapping(@TempDir final Path dir)
    {
        final Path file = dir.resolve("machine");
        try (Hypervisor hv = Hypervisor.boot(new HypervisorConfig().machineFrames(128).memoryFile(file)))
        {
            final int domid = hv.dom0Hypercalls().domctl().createDomain(
                new DomainConfig().memoryPages(8).image(IdleGuest.image()));
            final Domain domain = hv.domain(domid);
            domain.guestMemory().frame(4).putLong(8, 0x0BADCAFEL);
            final int offset = hv.memory().frameOffset(domain.physmap().mfn(4));
            try (SharedMemory other = SharedMemory.openFile(file))
            {
                assertEquals(0x0BADCAFEL, other.buffer().getLong(offset + 8));
            }
        }
    }

    @Test
    void crashedDomainIsReapedByTheReaperThreadAndDom0IsTold()
    {
        final AtomicInteger domExc = new AtomicInteger();
        final AtomicReference<UpcallDispatcher> dom0Dispatcher = new AtomicReference<>();
        try (Hypervisor hv = Hypervisor.boot(new HypervisorConfig().machineFrames(128).dom0(
            new DomainConfig().name("dom0").memoryPages(16).image(IdleGuest.image(dom0Dispatcher::set)))))
        {
            final int port = hv.dom0Hypercalls().eventChannel().bindVirq(Virq.DOM_EXC, 0);
            dom0Dispatcher.get().bind(port, (p) -> domExc.incrementAndGet());
            final int freeBefore = hv.memory().freeFrameCount();

            final int domid = hv.dom0Hypercalls().domctl().createDomain(new DomainConfig().memoryPages(8).image(
                (vcpu) -> new io.pvio.hypervisor.domain.GuestCode()
                {
                    public int doWork(final io.pvio.hypervisor.domain.VcpuContext ctx)
                    {
                        throw new IllegalStateException("kernel panic");
                    }

                    public void onUpcall(final io.pvio.hypervisor.domain.VcpuContext ctx)
                    {
                    }
                }));
            hv.dom0Hypercalls().domctl().unpauseDomain(domid);
            await().atMost(Duration.ofSeconds(10)).until(() -> hv.domain(domid).state() == DomainState.DEAD);
            assertEquals(ShutdownReason.CRASH, hv.dom0Hypercalls().domctl().getDomainInfo(domid).shutdownReason());
            await().atMost(Duration.ofSeconds(10)).until(() -> domExc.get() >= 1);
            assertEquals(freeBefore, hv.memory().freeFrameCount());
            hv.dom0Hypercalls().domctl().destroyDomain(domid);
        }
    }

    @Test
    void closeStopsEveryDomainAndThread()
    {
        final Hypervisor hv = Hypervisor.boot(new HypervisorConfig().machineFrames(256));
        for (int i = 0; i < 4; i++)
        {
            final int domid = hv.dom0Hypercalls().domctl().createDomain(
                new DomainConfig().memoryPages(8).vcpuCount(2).image(IdleGuest.image()));
            hv.dom0Hypercalls().domctl().unpauseDomain(domid);
        }
        final Domain dom0 = hv.dom0();
        hv.close();
        assertEquals(DomainState.DEAD, dom0.state());
        assertEquals(0, hv.manager().domains().count());
        assertEquals(hv.memory().frameCount(), hv.memory().freeFrameCount());
        await().atMost(Duration.ofSeconds(10)).until(() -> !anyVcpuThread());
    }
}
