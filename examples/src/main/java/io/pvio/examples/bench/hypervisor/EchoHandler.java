package io.pvio.examples.bench.hypervisor;

import io.pvio.hypervisor.guest.EventHandler;
import io.pvio.hypervisor.hypercall.EventChannelOp;

/** The echo guest's handler: every request event is answered at once with an event on the reply port. */
final class EchoHandler implements EventHandler
{
    private final EventChannelOp eventChannel;
    private final int replyPort;

    EchoHandler(final EventChannelOp eventChannel, final int replyPort)
    {
        this.eventChannel = eventChannel;
        this.replyPort = replyPort;
    }

    @Override
    public void onEvent(final int port)
    {
        eventChannel.send(replyPort);
    }
}
