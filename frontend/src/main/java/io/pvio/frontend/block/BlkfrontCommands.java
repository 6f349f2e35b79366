package io.pvio.frontend.block;

import io.pvio.hypervisor.guest.EventIdleStrategy;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.xenbus.DeferredGrantRelease;
import io.pvio.hypervisor.xenbus.XenbusFrontRing;
import io.pvio.ring.FrontRing;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The control commands waiting for a {@link BlkfrontEngine}'s agent: the rings of a connection to take over
 * ({@link Attach}), {@link #DETACH} and {@link #CLOSE} (from {@link BlkfrontXenbus}, on the bus thread), and
 * registered buffers allocated or freed meanwhile ({@link Register}, {@link Unregister}, on the callers' threads).
 * Any thread offers, and signals the agent; the agent alone polls, at the start of its duty cycle, and on close gives
 * back what it never applied ({@link #releaseUnapplied}).
 */
final class BlkfrontCommands
{
    /**
     * The rings (one per queue) for the agent to take over (from the control path), with each queue's persistent
     * pages if {@code feature-persistent} was negotiated ({@code null}s otherwise).
     */
    record Attach(XenbusFrontRing[] resources, FrontRing[] fronts, BlkfrontPersistentPages[] persistentPages,
        BlkfrontBackendFeatures features, BlkfrontGeometry geometry, AtomicBoolean taken)
    {
        Attach(final XenbusFrontRing[] resources, final FrontRing[] fronts,
            final BlkfrontPersistentPages[] persistentPages, final BlkfrontBackendFeatures features,
            final BlkfrontGeometry geometry)
        {
            this(resources, fronts, persistentPages, features, geometry, new AtomicBoolean());
        }

        /**
         * Claims the rings: for the agent that applies or releases the command, or for the control path that finds
         * the device closed after queueing it (the agent may be gone). Exactly one caller gets true.
         */
        boolean take()
        {
            return taken.compareAndSet(false, true);
        }

        /** Gives back what the agent never took over. Grants monitor held. */
        void release(final DeferredGrantRelease deferred)
        {
            BlkfrontConnection.releaseRingResources(resources, deferred);
            for (final BlkfrontPersistentPages pages : persistentPages)
            {
                if (pages != null)
                {
                    pages.release(deferred);
                }
            }
        }
    }

    /** A buffer allocated on the caller's thread, for the agent's table. */
    record Register(BlkfrontRegisteredBuffer buffer)
    {
    }

    /** A buffer the caller freed: out of the table, then released. */
    record Unregister(BlkfrontRegisteredBuffer buffer)
    {
    }

    /** Control commands waiting for the agent: attach/detach/close, and buffers allocated or freed meanwhile. */
    static final int COMMAND_QUEUE_CAPACITY = 1024;

    static final Object DETACH = new Object();
    static final Object CLOSE = new Object();

    private final String name;
    private final EventIdleStrategy idle;
    private final ManyToOneConcurrentArrayQueue<Object> commands =
        new ManyToOneConcurrentArrayQueue<>(COMMAND_QUEUE_CAPACITY);

    /**
     * @param name the device's, for errors.
     * @param idle the agent's, signalled once a command is queued.
     */
    BlkfrontCommands(final String name, final EventIdleStrategy idle)
    {
        this.name = name;
        this.idle = idle;
    }

    // ---- any thread ----

    /**
     * Queues {@code attach} (the rings) for the agent, if there is room: a caller that finds the device closed
     * afterwards can still {@link Attach#take take} it back.
     *
     * @return false if the queue is full (its agent has stopped applying commands): nothing was queued.
     */
    boolean tryAttach(final Attach attach)
    {
        if (!commands.offer(attach))
        {
            return false;
        }
        idle.signal();
        return true;
    }

    void detach()
    {
        offer(DETACH);
    }

    /** The device is gone: everything not yet completed fails. */
    void close()
    {
        offer(CLOSE);
    }

    /** A buffer allocated on the caller's thread, for the agent's table. */
    void register(final BlkfrontRegisteredBuffer buffer)
    {
        offer(new Register(buffer));
    }

    /** A buffer the caller freed: out of the agent's table, then released there. */
    void unregister(final BlkfrontRegisteredBuffer buffer)
    {
        offer(new Unregister(buffer));
    }

    private void offer(final Object command)
    {
        if (!commands.offer(command))
        {
            throw new IllegalStateException(name + ": control commands are not being applied");
        }
        idle.signal();
    }

    // ---- the agent ----

    /**
     * The next command to apply: an {@link Attach}, {@link Register} or {@link Unregister}, {@link #DETACH} or
     * {@link #CLOSE}; {@code null} if none is queued.
     */
    Object poll()
    {
        return commands.poll();
    }

    boolean isEmpty()
    {
        return commands.isEmpty();
    }

    /**
     * The agent is closing: gives back what the commands still queued hold, the rings handed over by the control
     * path that the agent never took over and the buffers it never registered (or never took out of
     * {@code registeredPages}). Grants monitor held.
     */
    void releaseUnapplied(
        final Hypercalls hypercalls,
        final GrantAccess grants,
        final DeferredGrantRelease deferred,
        final BlkfrontRegisteredPages registeredPages)
    {
        Object command;
        while ((command = commands.poll()) != null)
        {
            if (command instanceof Attach attach)
            {
                if (attach.take())
                {
                    attach.release(deferred);
                }
            }
            else if (command instanceof Register register)
            {
                register.buffer().release(hypercalls, grants, deferred);
            }
            else if (command instanceof Unregister unregister)
            {
                registeredPages.remove(unregister.buffer());
                unregister.buffer().release(hypercalls, grants, deferred);
            }
        }
    }
}
