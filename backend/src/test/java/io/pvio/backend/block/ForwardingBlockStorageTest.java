package io.pvio.backend.block;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every call a wrapper does not override reaches the wrapped storage, unchanged, and nothing else does. */
class ForwardingBlockStorageTest
{
    /** Logs each call with its arguments. */
    private static final class LoggingStorage implements BlockStorage
    {
        final List<String> calls = new ArrayList<>();
        ByteBuffer lastBuffer;

        @Override
        public long sectorCount()
        {
            calls.add("sectorCount");
            return 77;
        }

        @Override
        public boolean isReadOnly()
        {
            calls.add("isReadOnly");
            return true;
        }

        @Override
        public void read(final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes,
            final int lengthBytes)
        {
            lastBuffer = buffer;
            calls.add("read " + offsetBytes + " " + bufferOffsetBytes + " " + lengthBytes);
        }

        @Override
        public void write(final long offsetBytes, final ByteBuffer buffer, final int bufferOffsetBytes,
            final int lengthBytes)
        {
            lastBuffer = buffer;
            calls.add("write " + offsetBytes + " " + bufferOffsetBytes + " " + lengthBytes);
        }

        @Override
        public void flush()
        {
            calls.add("flush");
        }

        @Override
        public void discard(final long offsetBytes, final long lengthBytes)
        {
            calls.add("discard " + offsetBytes + " " + lengthBytes);
        }

        @Override
        public void close()
        {
            calls.add("close");
        }
    }

    @Test
    void everyCallGoesToTheWrappedStorageUnchanged() throws IOException
    {
        final LoggingStorage inner = new LoggingStorage();
        final ForwardingBlockStorage wrapper = new ForwardingBlockStorage(inner)
        {
        };
        assertSame(inner, wrapper.storage());
        final ByteBuffer buffer = ByteBuffer.allocateDirect(8192);

        assertEquals(77, wrapper.sectorCount());
        assertTrue(wrapper.isReadOnly());
        wrapper.read(4096, buffer, 512, 1024);
        assertSame(buffer, inner.lastBuffer);
        wrapper.write(8192, buffer, 0, 4096);
        wrapper.flush();
        wrapper.discard(1536, 2048);
        wrapper.close();

        assertEquals(List.of("sectorCount", "isReadOnly", "read 4096 512 1024", "write 8192 0 4096", "flush",
            "discard 1536 2048", "close"), inner.calls);
    }
}
