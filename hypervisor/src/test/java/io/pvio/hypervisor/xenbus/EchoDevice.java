package io.pvio.hypervisor.xenbus;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.Hypercalls;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A trivial device type, "echo", written only against the framework: the back end advertises the largest ring it
 * maps; the front end grants a ring of that many pages and an event channel; once connected the front end puts a
 * magic word in its first page and the back end reads it through its mapping.
 */
final class EchoDevice
{
    static final String TYPE = "echo";
    static final int MAGIC = 0x0EC0_0EC0;

    /** The back end's features (typed negotiation, STYLE 10). */
    record Features(int maxPageOrder)
    {
        static final String MAX_PAGE_ORDER = "max-ring-page-order";

        void write(final XenbusTransaction tx)
        {
            tx.write(MAX_PAGE_ORDER, maxPageOrder);
        }

        /** Missing key: a single page (order 0), as blkif.h documents for max-ring-page-order. */
        static Features parse(final XenbusTransaction backend)
        {
            return new Features(backend.readInt(MAX_PAGE_ORDER, 0, XenbusFrontRing.MAX_PAGE_ORDER, 0));
        }
    }

    /** Counts of driver calls, by device id. */
    static final class Calls
    {
        final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

        void add(final String call, final XenbusDevice device)
        {
            counts.computeIfAbsent(call + ":" + device.id(), k -> new AtomicInteger()).incrementAndGet();
        }

        int get(final String call, final String id)
        {
            final AtomicInteger count = counts.get(call + ":" + id);
            return count == null ? 0 : count.get();
        }
    }

    static final class Front implements XenbusFrontendDriver
    {
        final Calls calls = new Calls();
        final Map<String, XenbusFrontRing> rings = new ConcurrentHashMap<>();
        private final Hypercalls hypercalls;
        private final Domain domain;
        private final GrantAccess grants;
        private final int wantedOrder;
        /** Runs at the start of each {@link #disconnect}, on the bus's thread: lets a test act at that instant. */
        volatile Runnable onDisconnect = () -> { };

        Front(final Domain domain, final GrantAccess grants, final int wantedOrder)
        {
            this.domain = domain;
            this.hypercalls = domain.hypercalls();
            this.grants = grants;
            this.wantedOrder = wantedOrder;
        }

        @Override
        public String deviceType()
        {
            return TYPE;
        }

        @Override
        public void probe(final XenbusDevice device)
        {
            calls.add("probe", device);
        }

        @Override
        public XenbusNegotiation initialise(final XenbusDevice device, final XenbusTransaction backend)
        {
            calls.add("initialise", device);
            final int order = Math.min(wantedOrder, Features.parse(backend).maxPageOrder());
            final XenbusFrontRing ring = XenbusFrontRing.claim(hypercalls, domain.guestMemory(), grants,
                device.backendDomid(), order);
            rings.put(device.id(), ring);
            return ring::publish;
        }

        @Override
        public void connected(final XenbusDevice device, final XenbusTransaction backend)
        {
            calls.add("connected", device);
            // after the bus publishes Connected the back end may look; the word is there before
            rings.get(device.id()).page(0).putIntVolatile(0, MAGIC);
        }

        @Override
        public void disconnect(final XenbusDevice device)
        {
            onDisconnect.run();
            calls.add("disconnect", device);
            final XenbusFrontRing ring = rings.remove(device.id());
            if (ring != null)
            {
                ring.release();
            }
        }

        @Override
        public void remove(final XenbusDevice device)
        {
            calls.add("remove", device);
        }
    }

    static final class Back implements XenbusBackendDriver
    {
        final Calls calls = new Calls();
        final Map<String, XenbusBackRing> rings = new ConcurrentHashMap<>();
        private final Hypercalls hypercalls;
        private final int maxPageOrder;

        Back(final Hypercalls hypercalls, final int maxPageOrder)
        {
            this.hypercalls = hypercalls;
            this.maxPageOrder = maxPageOrder;
        }

        @Override
        public String deviceType()
        {
            return TYPE;
        }

        @Override
        public XenbusNegotiation probe(final XenbusDevice device)
        {
            calls.add("probe", device);
            return new Features(maxPageOrder)::write;
        }

        @Override
        public XenbusNegotiation connect(final XenbusDevice device, final XenbusTransaction frontend)
        {
            calls.add("connect", device);
            rings.put(device.id(), XenbusBackRing.claim(hypercalls, frontend, device.frontendDomid(), maxPageOrder));
            return XenbusNegotiation.NONE;
        }

        @Override
        public void disconnect(final XenbusDevice device)
        {
            calls.add("disconnect", device);
            final XenbusBackRing ring = rings.remove(device.id());
            if (ring != null)
            {
                ring.release();
            }
        }

        @Override
        public void remove(final XenbusDevice device)
        {
            calls.add("remove", device);
        }

        /** The word the front end put in the first page, or 0. */
        int magic(final String id)
        {
            final XenbusBackRing ring = rings.get(id);
            return ring == null ? 0 : ring.page(0).getIntVolatile(0);
        }
    }

    private EchoDevice()
    {
    }
}
