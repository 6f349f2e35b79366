package io.pvio.hypervisor.evtchn;

import io.pvio.hypervisor.hypercall.XenErrno;
import io.pvio.ring.evtchn.SharedInfoDescriptor;
import io.pvio.ring.evtchn.SharedInfoFlyweight;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * One domain's event channel ports and the 2-level delivery into its {@code shared_info} frame.
 * <p>
 * <b>Bindings.</b> Each port's binding is one packed {@code long} ({@link PortBinding}). Bindings change only under
 * {@link EventChannels}' lock; senders read them with a single acquire load and no lock, then re-validate the
 * remote end (see {@link EventChannels#send}). Port 0 is never allocated (Xen reserves it).
 * <p>
 * <b>Delivery</b> follows Xen's 2-level ABI ({@code evtchn_2l_set_pending}): set the port's pending bit; only on a
 * 0-&gt;1 transition of an unmasked port set the selector bit of its word in the notified vCPU's
 * {@code evtchn_pending_sel}; only on a 0-&gt;1 selector transition set {@code evtchn_upcall_pending}; only on a
 * 0-&gt;1 transition of that byte interrupt the vCPU, and only if its {@code evtchn_upcall_mask} is clear. Every
 * step is an atomic read-modify-write on the shared frame (the guest clears the same bits concurrently), and none
 * allocates. Each read-modify-write gives up after a bounded number of races lost to the guest, which then loses
 * that update itself ({@link SharedInfoFlyweight#boundedRetries()}); no sender ever spins on a guest's page.
 */
public final class EventChannelTable
{
    /** Lowest port ever allocated. */
    public static final int FIRST_PORT = 1;

    private static final VarHandle BINDINGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int domid;
    private final int vcpuCount;
    private final long[] bindings;
    private final AtomicIntegerArray virqPorts;
    private final SharedInfoFlyweight sharedInfo;
    private final VcpuKicker kicker;
    private int openPorts;

    /** Interrupts a vCPU whose upcall just became pending. */
    @FunctionalInterface
    public interface VcpuKicker
    {
        /** Called from any thread, allocation-free: the vCPU should run its upcall at its next safe point. */
        void kick(int vcpu);
    }

    /**
     * @param domid      the owning domain.
     * @param vcpuCount  its vCPUs (at most {@link SharedInfoDescriptor#MAX_VIRT_CPUS}).
     * @param maxPorts   ports 0 .. maxPorts - 1 (at most {@link SharedInfoDescriptor#NR_EVENT_CHANNELS}).
     * @param sharedInfo the hypervisor's flyweight over the domain's shared_info frame, already wrapped.
     * @param kicker     interrupts the domain's vCPUs.
     */
    public EventChannelTable(
        final int domid,
        final int vcpuCount,
        final int maxPorts,
        final SharedInfoFlyweight sharedInfo,
        final VcpuKicker kicker)
    {
        if (maxPorts <= FIRST_PORT || maxPorts > SharedInfoDescriptor.NR_EVENT_CHANNELS)
        {
            throw new IllegalArgumentException(
                "maxPorts must be in 2.." + SharedInfoDescriptor.NR_EVENT_CHANNELS + ": " + maxPorts);
        }
        SharedInfoDescriptor.checkVcpu(vcpuCount - 1);
        this.domid = domid;
        this.vcpuCount = vcpuCount;
        this.bindings = new long[maxPorts];
        this.virqPorts = new AtomicIntegerArray(vcpuCount * Virq.NR_VIRQS);
        // the guest rewrites this page at will: delivery must never spin on it (XSA-295), see boundedRetries().
        this.sharedInfo = sharedInfo.boundedRetries();
        this.kicker = kicker;
    }

    public int domid()
    {
        return domid;
    }

    public int maxPorts()
    {
        return bindings.length;
    }

    public int vcpuCount()
    {
        return vcpuCount;
    }

    public boolean isValidPort(final int port)
    {
        return port >= 0 && port < bindings.length;
    }

    /** Ports currently allocated (any state but FREE). Caller holds the event channel lock. */
    int openPortsLocked()
    {
        return openPorts;
    }

    /** The binding of a valid port, as last published. Any thread. */
    long bindingAcquire(final int port)
    {
        // any thread: a binding published by setBinding is seen whole, with the table state written before it.
        return (long)BINDINGS.getAcquire(bindings, port);
    }

    /** Caller holds the event channel lock. */
    void setBinding(final int port, final long binding)
    {
        final long before = (long)BINDINGS.get(bindings, port);
        if (before == PortBinding.FREE && binding != PortBinding.FREE)
        {
            openPorts++;
        }
        else if (before != PortBinding.FREE && binding == PortBinding.FREE)
        {
            openPorts--;
        }
        // senders: see the whole new binding (one 64-bit store) after every earlier change to this table.
        BINDINGS.setRelease(bindings, port, binding);
    }

    /**
     * The lowest free port. Caller holds the event channel lock.
     *
     * @return the port, or -ENOSPC.
     */
    int findFreePortLocked()
    {
        for (int port = FIRST_PORT; port < bindings.length; port++)
        {
            if ((long)BINDINGS.get(bindings, port) == PortBinding.FREE)
            {
                return port;
            }
        }
        return XenErrno.ENOSPC.negated();
    }

    /** The port bound to {@code virq} on {@code vcpu} (vCPU 0 for global VIRQs), or 0. Any thread. */
    int virqPort(final int virq, final int vcpu)
    {
        return virqPorts.get(vcpu * Virq.NR_VIRQS + virq);
    }

    /** Caller holds the event channel lock. */
    void virqPort(final int virq, final int vcpu, final int port)
    {
        virqPorts.set(vcpu * Virq.NR_VIRQS + virq, port);
    }

    // ---- 2-level delivery ----

    /**
     * Marks {@code port} pending and, if that is news the guest must hear, announces it to {@code vcpu}.
     * Caller keeps the domain alive (its shared_info frame valid) for the duration.
     */
    void setPending(final int port, final int vcpu)
    {
        if (sharedInfo.testAndSetPending(port))
        {
            return;
        }
        // evtchn_2l_set_pending: a masked port stays pending silently until unmasked.
        if (!sharedInfo.isMasked(port) &&
            !sharedInfo.testAndSetPendingSel(vcpu, SharedInfoDescriptor.wordIndex(port)))
        {
            markVcpuPending(vcpu);
        }
    }

    /**
     * {@code EVTCHNOP_unmask}: clears the mask bit; a port that became pending while masked is announced now.
     * Caller keeps the domain alive.
     */
    void unmask(final int port, final int vcpu)
    {
        if (sharedInfo.testAndClearMask(port) && sharedInfo.isPending(port) &&
            !sharedInfo.testAndSetPendingSel(vcpu, SharedInfoDescriptor.wordIndex(port)))
        {
            markVcpuPending(vcpu);
        }
    }

    /** Clears a closed port's pending bit so its next user starts clean. Caller keeps the domain alive. */
    void clearPending(final int port)
    {
        sharedInfo.testAndClearPending(port);
    }

    /** Whether {@code port} is pending in shared_info (diagnostics and tests). */
    public boolean isPending(final int port)
    {
        return sharedInfo.isPending(port);
    }

    private void markVcpuPending(final int vcpu)
    {
        // vcpu_mark_events_pending: interrupt only on a 0->1 change, and not while the guest has events off.
        if (!sharedInfo.testAndSetUpcallPending(vcpu) && !sharedInfo.upcallMask(vcpu))
        {
            kicker.kick(vcpu);
        }
    }
}
