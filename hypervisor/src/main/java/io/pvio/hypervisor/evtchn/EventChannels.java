package io.pvio.hypervisor.evtchn;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.DomainId;
import io.pvio.hypervisor.domain.DomainTable;
import io.pvio.hypervisor.hypercall.HypercallException;
import io.pvio.hypervisor.hypercall.HypercallOp;
import io.pvio.hypervisor.hypercall.XenErrno;

/**
 * The event channel operations ({@code EVTCHNOP_*}) across all domains.
 * <p>
 * <b>Locking.</b> Every change to any port's binding happens under this object's monitor, so the two ends of an
 * interdomain channel change together and nothing can deadlock (Xen locks the two domains in id order; a single lock
 * is simpler and the control path is not hot). {@link #send} and {@link #unmask} take no lock: a sender reads its own
 * binding with one acquire load, then enters the remote domain ({@link Domain#tryEnter}, which keeps its shared_info
 * frame alive) and delivers only if the remote port is still bound back to the sending port. A send racing a close
 * is thus either delivered to the right port or dropped, never delivered to a port reused for something else.
 * <p>
 * Control operations throw {@link HypercallException} with Xen's errno; the data path returns 0 or a negated errno.
 */
public final class EventChannels
{
    private final DomainTable domains;

    public EventChannels(final DomainTable domains)
    {
        this.domains = domains;
    }

    /**
     * {@code EVTCHNOP_alloc_unbound}: a fresh port in {@code dom} that {@code remoteDom} may bind to.
     *
     * @param dom       {@link DomainId#SELF} or the caller's id; another domain only for a privileged caller.
     * @param remoteDom the domain allowed to bind; {@link DomainId#SELF} means the caller.
     * @return the new port.
     */
    public int allocUnbound(final Domain caller, final int dom, final int remoteDom)
    {
        final HypercallOp op = HypercallOp.EVTCHN_ALLOC_UNBOUND;
        final Domain target = resolveTarget(caller, dom, op);
        final int remote = remoteDom == DomainId.SELF ? caller.domid() : remoteDom;
        if (!DomainId.isOrdinary(remote))
        {
            throw new HypercallException(XenErrno.EINVAL, op, "remote_dom " + remoteDom + " is not a domain id");
        }
        synchronized (this)
        {
            final long stamp = enter(target, op);
            try
            {
                final int port = allocatePort(target, op);
                target.ports().setBinding(port, PortBinding.unbound(remote, 0));
                return port;
            }
            finally
            {
                target.exit(stamp);
            }
        }
    }

    /**
     * {@code EVTCHNOP_bind_interdomain}: connects a fresh local port to {@code remotePort} of {@code remoteDom}, which
     * must be unbound and offered to the caller. The new local port starts pending (Xen does this in case the peer
     * sent before the bind).
     *
     * @return the new local port.
     */
    public int bindInterdomain(final Domain caller, final int remoteDom, final int remotePort)
    {
        final HypercallOp op = HypercallOp.EVTCHN_BIND_INTERDOMAIN;
        final Domain remote = remoteDom == DomainId.SELF ? caller : lookup(remoteDom, op);
        synchronized (this)
        {
            final long callerStamp = enter(caller, op);
            try
            {
                final long remoteStamp = remote == caller ? 0 : enter(remote, op);
                try
                {
                    return bindInterdomainLocked(caller, remote, remotePort, op);
                }
                finally
                {
                    if (remote != caller)
                    {
                        remote.exit(remoteStamp);
                    }
                }
            }
            finally
            {
                caller.exit(callerStamp);
            }
        }
    }

    private int bindInterdomainLocked(final Domain caller, final Domain remote, final int remotePort, final HypercallOp op)
    {
        final EventChannelTable remotePorts = remote.ports();
        if (!remotePorts.isValidPort(remotePort))
        {
            throw new HypercallException(XenErrno.EINVAL, op, "remote port " + remotePort + " out of range");
        }
        final long remoteBinding = remotePorts.bindingAcquire(remotePort);
        // event_channel.h: <remote_dom,remote_port> must be unbound and marked as accepting the calling domain.
        if (PortBinding.state(remoteBinding) != PortState.UNBOUND ||
            PortBinding.remoteDomid(remoteBinding) != caller.domid())
        {
            throw new HypercallException(XenErrno.EINVAL, op,
                "d" + remote.domid() + " port " + remotePort + " is not unbound for d" + caller.domid());
        }
        final int localPort = allocatePort(caller, op);
        caller.ports().setBinding(localPort, PortBinding.interdomain(remote.domid(), remotePort, 0));
        remotePorts.setBinding(remotePort,
            PortBinding.interdomain(caller.domid(), localPort, PortBinding.vcpu(remoteBinding)));
        caller.ports().setPending(localPort, 0);
        return localPort;
    }

    /**
     * {@code EVTCHNOP_bind_virq}: a fresh port raised by {@code virq} on {@code vcpu} (vCPU 0 for a global VIRQ).
     *
     * @return the new port.
     */
    public int bindVirq(final Domain caller, final int virq, final int vcpu)
    {
        final HypercallOp op = HypercallOp.EVTCHN_BIND_VIRQ;
        if (!Virq.isValid(virq))
        {
            throw new HypercallException(XenErrno.EINVAL, op, "no virq " + virq);
        }
        if (vcpu < 0 || vcpu >= caller.vcpuCount())
        {
            throw new HypercallException(XenErrno.ENOENT, op, "no vcpu " + vcpu);
        }
        if (!Virq.isPerVcpu(virq) && vcpu != 0)
        {
            // event_channel.h: global VIRQs must be allocated on VCPU0.
            throw new HypercallException(XenErrno.EINVAL, op, "global virq " + virq + " must be bound on vcpu 0");
        }
        synchronized (this)
        {
            final long stamp = enter(caller, op);
            try
            {
                final EventChannelTable ports = caller.ports();
                if (ports.virqPort(virq, vcpu) != 0)
                {
                    throw new HypercallException(XenErrno.EEXIST, op, "virq " + virq + " already bound on vcpu " + vcpu);
                }
                final int port = allocatePort(caller, op);
                ports.setBinding(port, PortBinding.virq(virq, vcpu));
                ports.virqPort(virq, vcpu, port);
                return port;
            }
            finally
            {
                caller.exit(stamp);
            }
        }
    }

    /**
     * {@code EVTCHNOP_close}: frees {@code port}; the remote end of an interdomain channel becomes unbound (awaiting
     * a new connection from the caller), so its sends are dropped from now on.
     */
    public void close(final Domain caller, final int port)
    {
        final HypercallOp op = HypercallOp.EVTCHN_CLOSE;
        synchronized (this)
        {
            final long stamp = enter(caller, op);
            try
            {
                if (!caller.ports().isValidPort(port) ||
                    caller.ports().bindingAcquire(port) == PortBinding.FREE)
                {
                    throw new HypercallException(XenErrno.EINVAL, op, "port " + port + " is not open");
                }
                closeLocked(caller, port);
            }
            finally
            {
                caller.exit(stamp);
            }
        }
    }

    /**
     * Teardown: closes every open port of a dying domain (whose frames are still held). Peers see their ends
     * unbound.
     *
     * @return the ports closed.
     */
    public int closeAll(final Domain dying)
    {
        int closed = 0;
        synchronized (this)
        {
            final EventChannelTable ports = dying.ports();
            for (int port = EventChannelTable.FIRST_PORT; port < ports.maxPorts(); port++)
            {
                if (ports.bindingAcquire(port) != PortBinding.FREE)
                {
                    closeLocked(dying, port);
                    closed++;
                }
            }
        }
        return closed;
    }

    private void closeLocked(final Domain owner, final int port)
    {
        final EventChannelTable ports = owner.ports();
        final long binding = ports.bindingAcquire(port);
        switch (PortBinding.state(binding))
        {
            case VIRQ:
                ports.virqPort(PortBinding.remotePortOrVirq(binding), PortBinding.vcpu(binding), 0);
                break;

            case INTERDOMAIN:
                unbindRemoteEnd(owner.domid(), port, binding);
                break;

            case UNBOUND:
            case FREE:
            default:
                break;
        }
        ports.clearPending(port);
        ports.setBinding(port, PortBinding.FREE);
    }

    private void unbindRemoteEnd(final int ownerDomid, final int port, final long binding)
    {
        final Domain remote = domains.get(PortBinding.remoteDomid(binding));
        if (remote == null)
        {
            return;
        }
        final int remotePort = PortBinding.remotePortOrVirq(binding);
        final EventChannelTable remotePorts = remote.ports();
        final long remoteBinding = remotePorts.bindingAcquire(remotePort);
        if (PortBinding.state(remoteBinding) == PortState.INTERDOMAIN &&
            PortBinding.remoteDomid(remoteBinding) == ownerDomid &&
            PortBinding.remotePortOrVirq(remoteBinding) == port)
        {
            // event_channel.h: the remote end is placed in the unbound state, awaiting a new connection.
            remotePorts.setBinding(remotePort, PortBinding.unbound(ownerDomid, PortBinding.vcpu(remoteBinding)));
        }
    }

    /**
     * {@code EVTCHNOP_send}: notifies the remote end of {@code port}. Allocation-free.
     *
     * @return 0 (also when the remote end is unbound: Xen drops such sends silently), or -EINVAL if {@code port}
     * is not the caller's interdomain or unbound port.
     */
    public int send(final Domain caller, final int port)
    {
        final EventChannelTable ports = caller.ports();
        if (!ports.isValidPort(port))
        {
            return XenErrno.EINVAL.negated();
        }
        final long binding = ports.bindingAcquire(port);
        final int state = PortBinding.stateOrdinal(binding);
        if (state == PortState.INTERDOMAIN.ordinal())
        {
            deliverInterdomain(caller.domid(), port, binding);
            return 0;
        }
        return state == PortState.UNBOUND.ordinal() ? 0 : XenErrno.EINVAL.negated();
    }

    private void deliverInterdomain(final int senderDomid, final int senderPort, final long binding)
    {
        final Domain remote = domains.get(PortBinding.remoteDomid(binding));
        if (remote == null)
        {
            return;
        }
        final long stamp = remote.tryEnter();
        if (stamp == 0)
        {
            return;
        }
        try
        {
            final int remotePort = PortBinding.remotePortOrVirq(binding);
            final EventChannelTable remotePorts = remote.ports();
            final long remoteBinding = remotePorts.bindingAcquire(remotePort);
            if (PortBinding.stateOrdinal(remoteBinding) == PortState.INTERDOMAIN.ordinal() &&
                PortBinding.remoteDomid(remoteBinding) == senderDomid &&
                PortBinding.remotePortOrVirq(remoteBinding) == senderPort)
            {
                remotePorts.setPending(remotePort, PortBinding.vcpu(remoteBinding));
            }
        }
        finally
        {
            remote.exit(stamp);
        }
    }

    /**
     * {@code EVTCHNOP_unmask}: unmasks {@code port} and announces it if it became pending while masked.
     *
     * @return 0, or -EINVAL for a port out of range.
     */
    public int unmask(final Domain caller, final int port)
    {
        final EventChannelTable ports = caller.ports();
        if (!ports.isValidPort(port))
        {
            return XenErrno.EINVAL.negated();
        }
        final long stamp = caller.tryEnter();
        if (stamp == 0)
        {
            return XenErrno.ESRCH.negated();
        }
        try
        {
            ports.unmask(port, PortBinding.vcpu(ports.bindingAcquire(port)));
            return 0;
        }
        finally
        {
            caller.exit(stamp);
        }
    }

    /** {@code EVTCHNOP_status} of {@code port} in {@code dom} (another domain only for a privileged caller). */
    public EventChannelStatus status(final Domain caller, final int dom, final int port)
    {
        final HypercallOp op = HypercallOp.EVTCHN_STATUS;
        final Domain target = resolveTarget(caller, dom, op);
        if (!target.ports().isValidPort(port))
        {
            throw new HypercallException(XenErrno.EINVAL, op, "port " + port + " out of range");
        }
        final long binding = target.ports().bindingAcquire(port);
        final PortState state = PortBinding.state(binding);
        final int vcpu = PortBinding.vcpu(binding);
        switch (state)
        {
            case UNBOUND:
                return new EventChannelStatus(state, vcpu, PortBinding.remoteDomid(binding), -1, -1);
            case INTERDOMAIN:
                return new EventChannelStatus(
                    state, vcpu, PortBinding.remoteDomid(binding), PortBinding.remotePortOrVirq(binding), -1);
            case VIRQ:
                return new EventChannelStatus(state, vcpu, -1, -1, PortBinding.remotePortOrVirq(binding));
            case FREE:
            default:
                return new EventChannelStatus(PortState.FREE, 0, -1, -1, -1);
        }
    }

    /**
     * {@code EVTCHNOP_bind_vcpu}: notify {@code vcpu} for {@code port} from now on. Per-vCPU VIRQ ports keep the vCPU
     * they were bound on.
     */
    public void bindVcpu(final Domain caller, final int port, final int vcpu)
    {
        final HypercallOp op = HypercallOp.EVTCHN_BIND_VCPU;
        if (vcpu < 0 || vcpu >= caller.vcpuCount())
        {
            throw new HypercallException(XenErrno.ENOENT, op, "no vcpu " + vcpu);
        }
        synchronized (this)
        {
            final EventChannelTable ports = caller.ports();
            if (!ports.isValidPort(port))
            {
                throw new HypercallException(XenErrno.EINVAL, op, "port " + port + " out of range");
            }
            final long binding = ports.bindingAcquire(port);
            final PortState state = PortBinding.state(binding);
            if (state == PortState.FREE ||
                (state == PortState.VIRQ && Virq.isPerVcpu(PortBinding.remotePortOrVirq(binding))))
            {
                throw new HypercallException(XenErrno.EINVAL, op, "port " + port + " cannot be re-bound");
            }
            ports.setBinding(port, PortBinding.withVcpu(binding, vcpu));
        }
    }

    /**
     * Raises {@code virq} in {@code target} (on {@code vcpu} for a per-vCPU VIRQ, on its bound vCPU otherwise).
     * Hypervisor use; allocation-free; dropped if the VIRQ is not bound or the domain is dying.
     *
     * @return whether a bound port was set pending.
     */
    public boolean raiseVirq(final Domain target, final int virq, final int vcpu)
    {
        final long stamp = target.tryEnter();
        if (stamp == 0)
        {
            return false;
        }
        try
        {
            final EventChannelTable ports = target.ports();
            final int port = ports.virqPort(virq, Virq.isPerVcpu(virq) ? vcpu : 0);
            if (port == 0)
            {
                return false;
            }
            final long binding = ports.bindingAcquire(port);
            if (PortBinding.state(binding) != PortState.VIRQ || PortBinding.remotePortOrVirq(binding) != virq)
            {
                return false;
            }
            ports.setPending(port, PortBinding.vcpu(binding));
            return true;
        }
        finally
        {
            target.exit(stamp);
        }
    }

    /** Ports {@code domain} has open now (leak checks, statistics). */
    public synchronized int openPorts(final Domain domain)
    {
        return domain.ports().openPortsLocked();
    }

    private int allocatePort(final Domain domain, final HypercallOp op)
    {
        final int port = domain.ports().findFreePortLocked();
        if (port < 0)
        {
            throw new HypercallException(XenErrno.ENOSPC, op,
                "d" + domain.domid() + " has all " + domain.ports().maxPorts() + " ports in use");
        }
        return port;
    }

    private Domain resolveTarget(final Domain caller, final int dom, final HypercallOp op)
    {
        if (dom == DomainId.SELF || dom == caller.domid())
        {
            return caller;
        }
        if (!caller.isPrivileged())
        {
            throw new HypercallException(XenErrno.EPERM, op, "d" + caller.domid() + " may not act on d" + dom);
        }
        return lookup(dom, op);
    }

    private Domain lookup(final int domid, final HypercallOp op)
    {
        final Domain domain = domains.get(domid);
        if (domain == null)
        {
            throw new HypercallException(XenErrno.ESRCH, op, "no domain " + domid);
        }
        return domain;
    }

    private static long enter(final Domain domain, final HypercallOp op)
    {
        final long stamp = domain.tryEnter();
        if (stamp == 0)
        {
            throw new HypercallException(XenErrno.ESRCH, op, "d" + domain.domid() + " is dying");
        }
        return stamp;
    }
}
