package io.pvio.hypervisor.memory;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MachineMemoryTest
{
    @Test
    void claimsDistinctFramesUntilExhausted()
    {
        final MachineMemory memory = MachineMemory.offHeap(4);
        final int a = memory.claimFrame(7);
        final int b = memory.claimFrame(7);
        final int c = memory.claimFrame(8);
        final int d = memory.claimFrame(8);
        assertEquals(MachineMemory.INVALID_MFN, memory.claimFrame(9));
        assertEquals(4, java.util.stream.IntStream.of(a, b, c, d).distinct().count());
        assertEquals(0, memory.freeFrameCount());
        assertEquals(2, memory.countFramesOwnedBy(7));
        assertEquals(1, memory.refCount(a));
    }

    @Test
    void lastReleaseScrubsAndFreesTheFrame()
    {
        final MachineMemory memory = MachineMemory.offHeap(1);
        final int mfn = memory.claimFrame(1);
        final UnsafeBuffer view = memory.newFrameView(mfn);
        view.putLong(4088, 0xDEADBEEFL);
        memory.retainFrame(mfn);
        memory.releaseFrame(mfn);
        assertEquals(0, memory.freeFrameCount(), "still retained once");
        assertEquals(0xDEADBEEFL, view.getLong(4088));
        memory.releaseFrame(mfn);
        assertEquals(1, memory.freeFrameCount());
        assertEquals(MachineMemory.NO_OWNER, memory.ownerToken(mfn));

        final int again = memory.claimFrame(2);
        assertEquals(mfn, again);
        assertEquals(0L, memory.newFrameView(again).getLong(4088), "a new owner never sees old data");
    }

    @Test
    void refusesToRetainOrReleaseAFreeFrame()
    {
        final MachineMemory memory = MachineMemory.offHeap(2);
        assertThrows(IllegalStateException.class, () -> memory.retainFrame(0));
        assertThrows(IllegalStateException.class, () -> memory.releaseFrame(1));
        assertEquals(0, memory.refCount(0));
        assertThrows(IllegalArgumentException.class, () -> memory.frameOffset(2));
    }

    @Test
    void frameViewsCoverExactlyOneFrame()
    {
        final MachineMemory memory = MachineMemory.offHeap(3);
        memory.claimFrame(1);
        final int mfn = memory.claimFrame(1);
        final UnsafeBuffer view = memory.newFrameView(mfn);
        assertEquals(MachineMemory.PAGE_SIZE_BYTES, view.capacity());
        view.putInt(0, 42);
        assertEquals(42, memory.buffer().getInt(memory.frameOffset(mfn)));
        assertThrows(IndexOutOfBoundsException.class, () -> view.putInt(MachineMemory.PAGE_SIZE_BYTES, 1));
    }

    @Test
    void mappedFileIsVisibleThroughTheFile(@TempDir final Path dir)
    {
        final Path file = dir.resolve("machine.mem");
        try (MachineMemory memory = MachineMemory.mappedFile(file, 8))
        {
            final int mfn = memory.claimFrame(1);
            memory.newFrameView(mfn).putLong(16, 0x1122334455667788L);
            try (io.pvio.ring.SharedMemory other = io.pvio.ring.SharedMemory.openFile(file))
            {
                assertEquals(0x1122334455667788L, other.buffer().getLong(memory.frameOffset(mfn) + 16));
            }
            assertEquals(file, memory.path());
        }
        assertTrue(file.toFile().exists());
    }

    @Test
    void sinkRevocationRedirectsAView()
    {
        final MachineMemory memory = MachineMemory.offHeap(1);
        final int mfn = memory.claimFrame(1);
        final UnsafeBuffer view = memory.newFrameView(mfn);
        final SinkFrame sink = new SinkFrame();
        sink.revoke(view);
        assertTrue(sink.isRevoked(view));
        view.putLong(0, -1L);
        assertEquals(0L, memory.buffer().getLong(memory.frameOffset(mfn)));
        assertNotEquals(0L, view.getLong(0));
    }
}
