package io.pvio.hypervisor.guest;

import io.pvio.hypervisor.domain.StartInfo;
import io.pvio.hypervisor.memory.GuestMemory;
import io.pvio.ring.evtchn.SharedInfoDescriptor;
import io.pvio.ring.evtchn.SharedInfoFlyweight;
import org.agrona.concurrent.AtomicBuffer;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The guest's event upcall (Linux's {@code xen_evtchn_do_upcall} for the 2-level ABI): run from
 * {@code GuestCode.onUpcall}, it clears {@code evtchn_upcall_pending}, exchanges the vCPU's
 * {@code evtchn_pending_sel} with zero, and for each selected word takes the pending, unmasked ports bound to this
 * vCPU (clearing their pending bits atomically) and calls their handlers. Clearing before calling means an event sent
 * while a handler runs sets the bit again and raises a new upcall: none is lost.
 * <p>
 * Handlers are kept in an array indexed by port and may be bound and unbound from any thread at any time; dispatch
 * allocates nothing. A port with no handler stays pending until one is bound ({@link #bind} then delivers it).
 * Each dispatch makes at most {@link #MAX_PASSES} passes; whatever arrives later raises the next upcall.
 * <p>
 * Every event handed to a handler is counted per port ({@link #eventsDelivered(int)}), so tools can say how many
 * events a driver really received through the pending bitmask (sends to a port that is already pending coalesce
 * into one).
 */
public final class UpcallDispatcher
{
    /** Selector exchanges per upcall before yielding back to the vCPU's duty cycle. */
    public static final int MAX_PASSES = 4;

    private final SharedInfoFlyweight sharedInfo;
    private final int vcpuCount;
    private final AtomicReferenceArray<EventHandler> handlers =
        new AtomicReferenceArray<>(SharedInfoDescriptor.NR_EVENT_CHANNELS);
    private final AtomicLongArray[] boundPorts;
    private final AtomicLongArray deliveredByPort = new AtomicLongArray(SharedInfoDescriptor.NR_EVENT_CHANNELS);

    /**
     * @param sharedInfoFrame the guest's view of its shared_info frame.
     * @param vcpuCount       the domain's vCPUs.
     */
    public UpcallDispatcher(final AtomicBuffer sharedInfoFrame, final int vcpuCount)
    {
        SharedInfoDescriptor.checkVcpu(vcpuCount - 1);
        this.sharedInfo = new SharedInfoFlyweight().wrap(sharedInfoFrame, 0);
        this.vcpuCount = vcpuCount;
        this.boundPorts = new AtomicLongArray[vcpuCount];
        for (int i = 0; i < vcpuCount; i++)
        {
            boundPorts[i] = new AtomicLongArray(SharedInfoDescriptor.EVTCHN_WORD_COUNT);
        }
    }

    /** A dispatcher over the domain's own shared_info, as its start info names it. */
    public static UpcallDispatcher of(final GuestMemory memory, final StartInfo startInfo)
    {
        return new UpcallDispatcher(memory.frame(startInfo.sharedInfoGfn()), startInfo.vcpuCount());
    }

    /** The guest's flyweight over its shared_info (masks, pending bits, upcall mask). */
    public SharedInfoFlyweight sharedInfo()
    {
        return sharedInfo;
    }

    /** Events handed to {@code port}'s handlers so far, each one a pending bit taken from the bitmask. Any thread. */
    public long eventsDelivered(final int port)
    {
        SharedInfoDescriptor.checkPort(port);
        return deliveredByPort.get(port);
    }

    /** Events handed to any handler so far (sums every port: for statistics, not for hot paths). Any thread. */
    public long eventsDelivered()
    {
        long total = 0;
        for (int port = 0; port < deliveredByPort.length(); port++)
        {
            total += deliveredByPort.get(port);
        }
        return total;
    }

    /** Binds {@code handler} to {@code port}, dispatched on vCPU 0. */
    public void bind(final int port, final EventHandler handler)
    {
        bind(port, 0, handler);
    }

    /**
     * Binds {@code handler} to {@code port}, dispatched on {@code vcpu} (which must be the vCPU the hypervisor
     * notifies for the port: 0 unless moved with {@code EVTCHNOP_bind_vcpu}). If the port is already pending, an
     * upcall is raised for it.
     */
    public void bind(final int port, final int vcpu, final EventHandler handler)
    {
        SharedInfoDescriptor.checkPort(port);
        SharedInfoDescriptor.checkVcpu(vcpu);
        if (vcpu >= vcpuCount || handler == null)
        {
            throw new IllegalArgumentException("vcpu " + vcpu + " of " + vcpuCount + ", handler " + handler);
        }
        unbind(port);
        handlers.set(port, handler);
        setBits(boundPorts[vcpu], SharedInfoDescriptor.wordIndex(port), SharedInfoDescriptor.bitMask(port));
        if (sharedInfo.isPending(port) && !sharedInfo.isMasked(port))
        {
            raiseLocally(port, vcpu);
        }
    }

    /** Whether a handler is bound to {@code port}. */
    public boolean isBound(final int port)
    {
        SharedInfoDescriptor.checkPort(port);
        return handlers.get(port) != null;
    }

    /** Unbinds {@code port}'s handler; its events stay pending until a handler is bound again. */
    public void unbind(final int port)
    {
        SharedInfoDescriptor.checkPort(port);
        for (int vcpu = 0; vcpu < vcpuCount; vcpu++)
        {
            clearBits(boundPorts[vcpu], SharedInfoDescriptor.wordIndex(port), SharedInfoDescriptor.bitMask(port));
        }
        handlers.set(port, null);
    }

    /**
     * Handles every pending, unmasked port bound to {@code vcpu}. Call on that vCPU's thread from its upcall.
     *
     * @return events handled.
     */
    public int dispatch(final int vcpu)
    {
        final AtomicLongArray bound = boundPorts[vcpu];
        int handled = 0;
        for (int pass = 0; pass < MAX_PASSES; pass++)
        {
            // cleared before the selector exchange: an event arriving after this raises a new upcall.
            sharedInfo.clearUpcallPending(vcpu);
            long selector = sharedInfo.exchangePendingSelToZero(vcpu);
            if (selector == 0)
            {
                break;
            }
            while (selector != 0)
            {
                final int word = Long.numberOfTrailingZeros(selector);
                selector &= selector - 1;
                handled += dispatchWord(word, bound.get(word));
            }
        }
        return handled;
    }

    private int dispatchWord(final int word, final long boundBits)
    {
        final long ready = sharedInfo.pendingWordVolatile(word) & ~sharedInfo.maskWordVolatile(word) & boundBits;
        if (ready == 0)
        {
            return 0;
        }
        // take exactly the ports that are still pending; each becomes 0 so the next send is a new event.
        long taken = sharedInfo.getAndClearPendingBits(word, ready) & ready;
        int handled = 0;
        while (taken != 0)
        {
            final int port = SharedInfoDescriptor.firstPort(word) + Long.numberOfTrailingZeros(taken);
            taken &= taken - 1;
            final EventHandler handler = handlers.get(port);
            if (handler != null)
            {
                // counted before the call: whoever sees what the handler did also sees the count
                deliveredByPort.getAndIncrement(port);
                handler.onEvent(port);
                handled++;
            }
        }
        return handled;
    }

    /** Masks {@code port}: it can become pending but raises no upcall. @return whether it was masked already. */
    public boolean mask(final int port)
    {
        return sharedInfo.testAndSetMask(port);
    }

    /**
     * Unmasks {@code port} without a hypercall (Linux's local unmask): if it became pending while masked, raises the
     * upcall on {@code vcpu} here. The {@code EVTCHNOP_unmask} hypercall does the same from the hypervisor's side.
     */
    public void unmask(final int port, final int vcpu)
    {
        if (sharedInfo.testAndClearMask(port) && sharedInfo.isPending(port))
        {
            raiseLocally(port, vcpu);
        }
    }

    /** Turns upcalls off ({@code true}) or on for {@code vcpu}: the guest's interrupt flag. */
    public void upcallMask(final int vcpu, final boolean masked)
    {
        sharedInfo.upcallMask(vcpu, masked);
    }

    private void raiseLocally(final int port, final int vcpu)
    {
        // as the hypervisor would: selector bit, then upcall_pending; the vCPU sees it at its next safe point.
        if (!sharedInfo.testAndSetPendingSel(vcpu, SharedInfoDescriptor.wordIndex(port)))
        {
            sharedInfo.testAndSetUpcallPending(vcpu);
        }
    }

    private static void setBits(final AtomicLongArray words, final int index, final long bits)
    {
        long word;
        do
        {
            word = words.get(index);
        }
        while (!words.compareAndSet(index, word, word | bits));
    }

    private static void clearBits(final AtomicLongArray words, final int index, final long bits)
    {
        long word;
        do
        {
            word = words.get(index);
        }
        while (!words.compareAndSet(index, word, word & ~bits));
    }
}
