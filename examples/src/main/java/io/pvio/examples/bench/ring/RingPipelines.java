package io.pvio.examples.bench.ring;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import io.pvio.examples.notify.Doorbell;
import io.pvio.examples.notify.SpinThenSleepIdleStrategy;
import io.pvio.ring.BackRing;
import io.pvio.ring.FrontRing;
import io.pvio.ring.RingEntryLayout;
import io.pvio.ring.SharedMemory;
import io.pvio.ring.SharedRing;
import io.pvio.ring.SringDescriptor;
import io.pvio.ring.blkif.BlkifRings;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.jctools.queues.SpscArrayQueue;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * Builds a {@link RingPipeline} for each {@link RingKind}, applying the same rules to every ring:
 * <ul>
 *   <li>Capacity: every queue holds as many in-flight entries as the pvio ring of the same pages (32 for one page,
 *       512 for sixteen: {@code BlkifRings.X86_64}); the front end never has more than that in flight.</li>
 *   <li>Throughput: the window is the full capacity; requests go out in batches of {@code batchSize} and each side
 *       takes at most {@code batchSize} entries per receive.</li>
 *   <li>Round trip: a window of one request and batches of one.</li>
 *   <li>Waiting under throughput load: the peers spin, then yield, and never sleep, so they never pay for a
 *       wake-up ({@link SpinYieldIdleStrategy}). The pvio ends spin and yield for the same number of empty polls
 *       and then sleep on a {@link Doorbell} after the ring's final check, as a paravirtual driver must
 *       ({@link SpinThenSleepIdleStrategy}). {@code PVIO_POLLING} instead waits exactly like the peers and
 *       publishes without the event-index check: it isolates the cost of Xen's notification protocol.</li>
 *   <li>Round trip: every end of every ring busy-spins.</li>
 *   <li>Private state: each back end is built on its own thread ({@link BackEndFactory}), so neither end's
 *       private fields share a cache line with the other's; what the two ends share is the ring itself.</li>
 * </ul>
 */
final class RingPipelines
{
    private static final RingEntryLayout LAYOUT = BlkifRings.X86_64;

    private RingPipelines()
    {
    }

    /** In-flight entries of a pvio blkif ring of {@code pages} pages, and so of every peer at that size. */
    static int entries(final int pages)
    {
        return LAYOUT.ringSize(pageOrder(pages));
    }

    /** A pipeline for the throughput benchmark: full window, batches of {@code batchSize}. */
    static RingPipeline throughput(final RingKind kind, final int pages, final int batchSize)
    {
        return create(kind, pages, entries(pages), batchSize, true);
    }

    /** A pipeline for the round-trip benchmark: one request in flight, both ends busy-spinning. */
    static RingPipeline roundTrip(final RingKind kind, final int pages)
    {
        return create(kind, pages, 1, 1, false);
    }

    private static RingPipeline create(
        final RingKind kind, final int pages, final int windowEntries, final int batchSize, final boolean throughput)
    {
        final int entries = entries(pages);
        final int peerSpinLimit =
            throughput ? SpinThenSleepIdleStrategy.SPIN_LIMIT : SpinYieldIdleStrategy.SPIN_FOREVER;
        switch (kind)
        {
            case PVIO:
                return pvio(kind, pages, windowEntries, batchSize, throughput, PvioNotification.EVENT_INDEX,
                    SpinYieldIdleStrategy.SPIN_FOREVER);
            case PVIO_NO_SUPPRESSION:
                return pvio(kind, pages, windowEntries, batchSize, throughput, PvioNotification.EVERY_PUSH,
                    SpinYieldIdleStrategy.SPIN_FOREVER);
            case PVIO_POLLING:
                // never sleeps: waits exactly like the peers (the same spins, then yields)
                return pvio(kind, pages, windowEntries, batchSize, false, PvioNotification.POLLING, peerSpinLimit);
            case AGRONA:
                return agrona(entries, windowEntries, batchSize, peerSpinLimit);
            case JCTOOLS:
                return jctools(entries, windowEntries, batchSize, peerSpinLimit);
            case DISRUPTOR:
                return disruptor(entries, windowEntries, batchSize, peerSpinLimit);
            case ABQ:
                return abq(entries, windowEntries, batchSize, peerSpinLimit);
            default:
                throw new IllegalArgumentException("unknown ring: " + kind);
        }
    }

    private static RingPipeline pvio(
        final RingKind kind,
        final int pages,
        final int windowEntries,
        final int batchSize,
        final boolean sleepWhenIdle,
        final PvioNotification notification,
        final int pollSpinLimit)
    {
        final SharedMemory memory = SharedMemory.allocateOffHeap(pages * SringDescriptor.PAGE_SIZE_BYTES);
        final SharedRing sharedRing = SharedRing.ofPageOrder(memory.buffer(), pageOrder(pages), LAYOUT);
        final FrontRing frontRing = FrontRing.initialise(sharedRing);
        final BackEndControl control = new BackEndControl();
        final Doorbell requestDoorbell = new Doorbell();
        final Doorbell responseDoorbell = new Doorbell();
        control.wakeOnFailure(responseDoorbell);

        final IdleStrategy frontIdle = sleepWhenIdle ?
            new SpinThenSleepIdleStrategy(
                responseDoorbell, () -> frontRing.finalCheckForResponses() || control.hasFailed()) :
            SpinYieldIdleStrategy.forFrontEnd(pollSpinLimit);
        final PvioFront front = new PvioFront(
            frontRing, windowEntries, batchSize, frontIdle, control, requestDoorbell, notification);

        final BackEndFactory backEnd = () ->
        {
            final BackRing backRing = BackRing.attach(sharedRing);
            final IdleStrategy backIdle = sleepWhenIdle ?
                new SpinThenSleepIdleStrategy(
                    requestDoorbell, () -> backRing.finalCheckForRequests() || control.isStopped()) :
                SpinYieldIdleStrategy.forBackEnd(control, pollSpinLimit);
            return new BackEndFactory.Parts(
                new PvioBackEnd(backRing, control, batchSize, responseDoorbell, notification), backIdle);
        };
        return new RingPipeline(kind, front, backEnd, control, requestDoorbell, responseDoorbell, memory);
    }

    private static RingPipeline agrona(
        final int entries, final int windowEntries, final int batchSize, final int spinLimit)
    {
        final OneToOneRingBuffer requests = AgronaRings.ringBuffer(entries, LAYOUT.requestBytes());
        final OneToOneRingBuffer responses = AgronaRings.ringBuffer(entries, LAYOUT.responseBytes());
        final BackEndControl control = new BackEndControl();
        final AgronaFront front = new AgronaFront(
            requests, responses, LAYOUT.requestBytes(), windowEntries, batchSize,
            SpinYieldIdleStrategy.forFrontEnd(spinLimit), control);
        final BackEndFactory backEnd = () -> peerParts(
            new AgronaBackEnd(requests, responses, LAYOUT.responseBytes(), control, batchSize), control, spinLimit);
        return peerPipeline(RingKind.AGRONA, front, backEnd, control);
    }

    private static RingPipeline jctools(
        final int entries, final int windowEntries, final int batchSize, final int spinLimit)
    {
        final SpscArrayQueue<RequestMessage> requests = new SpscArrayQueue<>(entries);
        final SpscArrayQueue<ResponseMessage> responses = new SpscArrayQueue<>(entries);
        final BackEndControl control = new BackEndControl();
        final JctoolsFront front = new JctoolsFront(
            requests, responses, entries, windowEntries, batchSize, SpinYieldIdleStrategy.forFrontEnd(spinLimit),
            control);
        final BackEndFactory backEnd = () -> peerParts(
            new JctoolsBackEnd(requests, responses, entries, control, batchSize), control, spinLimit);
        return peerPipeline(RingKind.JCTOOLS, front, backEnd, control);
    }

    private static RingPipeline disruptor(
        final int entries, final int windowEntries, final int batchSize, final int spinLimit)
    {
        final RingBuffer<RequestMessage> requests =
            RingBuffer.createSingleProducer(RequestMessage::new, entries, new BusySpinWaitStrategy());
        final RingBuffer<ResponseMessage> responses =
            RingBuffer.createSingleProducer(ResponseMessage::new, entries, new BusySpinWaitStrategy());
        final Sequence requestSequence = new Sequence();
        final Sequence responseSequence = new Sequence();
        requests.addGatingSequences(requestSequence);
        responses.addGatingSequences(responseSequence);
        final BackEndControl control = new BackEndControl();
        final DisruptorFront front = new DisruptorFront(
            requests, responses, responseSequence, windowEntries, batchSize,
            SpinYieldIdleStrategy.forFrontEnd(spinLimit), control);
        final BackEndFactory backEnd = () -> peerParts(
            new DisruptorBackEnd(requests, responses, requestSequence, control, batchSize), control, spinLimit);
        return peerPipeline(RingKind.DISRUPTOR, front, backEnd, control);
    }

    private static RingPipeline abq(
        final int entries, final int windowEntries, final int batchSize, final int spinLimit)
    {
        final ArrayBlockingQueue<RequestMessage> requests = new ArrayBlockingQueue<>(entries);
        final ArrayBlockingQueue<ResponseMessage> responses = new ArrayBlockingQueue<>(entries);
        final BackEndControl control = new BackEndControl();
        final AbqFront front = new AbqFront(
            requests, responses, entries, windowEntries, batchSize, SpinYieldIdleStrategy.forFrontEnd(spinLimit),
            control);
        final BackEndFactory backEnd = () -> peerParts(
            new AbqBackEnd(requests, responses, entries, control, batchSize), control, spinLimit);
        return peerPipeline(RingKind.ABQ, front, backEnd, control);
    }

    private static BackEndFactory.Parts peerParts(
        final RingBackEnd backEnd, final BackEndControl control, final int spinLimit)
    {
        return new BackEndFactory.Parts(backEnd, SpinYieldIdleStrategy.forBackEnd(control, spinLimit));
    }

    private static RingPipeline peerPipeline(
        final RingKind kind, final RingFront front, final BackEndFactory backEnd, final BackEndControl control)
    {
        return new RingPipeline(
            kind, front, backEnd, control, new Doorbell(), new Doorbell(), RingPipelines::releaseNothing);
    }

    private static void releaseNothing()
    {
    }

    private static int pageOrder(final int pages)
    {
        if (pages <= 0 || Integer.bitCount(pages) != 1)
        {
            throw new IllegalArgumentException("pages must be a power of two: " + pages);
        }
        return Integer.numberOfTrailingZeros(pages);
    }
}
