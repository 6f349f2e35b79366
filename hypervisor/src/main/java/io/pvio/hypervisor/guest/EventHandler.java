package io.pvio.hypervisor.guest;

/** Handles events on one port; called on the vCPU's thread by {@link UpcallDispatcher}. Must not block. */
@FunctionalInterface
public interface EventHandler
{
    /** The port's pending bit was set and has just been cleared; anything sent from now on is a new event. */
    void onEvent(int port);
}
