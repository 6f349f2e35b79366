package io.pvio.ring.console;

import io.pvio.ring.SharedMemory;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.pvio.ring.console.XenconsInterfaceFlyweight.RING_BROKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XenconsInterfaceFlyweightTest
{
    private AtomicBuffer page;
    private final XenconsInterfaceFlyweight guest = new XenconsInterfaceFlyweight();
    private final XenconsInterfaceFlyweight daemon = new XenconsInterfaceFlyweight();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[8192]);

    @BeforeEach
    void setUp()
    {
        page = SharedMemory.allocateOffHeap(4096).buffer();
        guest.wrap(page, 0);
        daemon.wrap(page, 0);
    }

    @Test
    void outputTravelsFromGuestToDaemon()
    {
        final UnsafeBuffer text = ascii("hello, dom0\n");
        assertEquals(12, guest.writeOut(text, 0, 12));
        assertEquals(12, guest.outProdVolatile());
        assertEquals('h', page.getByte(XenconsInterfaceDescriptor.OUT_OFFSET));

        assertEquals(12, daemon.readOut(scratch, 0, 100));
        assertEquals("hello, dom0\n", scratch.getStringWithoutLengthAscii(0, 12));
        assertEquals(12, daemon.outConsVolatile());
        assertEquals(0, daemon.readOut(scratch, 0, 100), "empty");
    }

    @Test
    void inputTravelsFromDaemonToGuestAndStopsWhenFull()
    {
        final UnsafeBuffer bytes = pattern(1500);
        assertEquals(1024, daemon.writeIn(bytes, 0, 1500), "the in ring holds 1024 bytes");
        assertEquals(0, daemon.writeIn(bytes, 1024, 476), "full");

        assertEquals(1000, guest.readIn(scratch, 0, 1000));
        assertEquals(476, daemon.writeIn(bytes, 1024, 476), "wraps into the space freed");
        assertEquals(500, guest.readIn(scratch, 1000, 4096));
        for (int i = 0; i < 1500; i++)
        {
            assertEquals(bytes.getByte(i), scratch.getByte(i), "byte " + i);
        }
    }

    @Test
    void indicesWrapAcross2To32()
    {
        guest.initialise(-100);
        final UnsafeBuffer bytes = pattern(5000);
        int written = 0;
        int read = 0;
        for (int round = 0; round < 100 && read < 5000; round++)
        {
            final int w = guest.writeOut(bytes, written, Math.min(700, 5000 - written));
            final int r = daemon.readOut(scratch, read, 300);
            assertTrue(w >= 0 && r >= 0, "never reported broken");
            written += w;
            read += r;
        }
        assertEquals(5000, read);
        assertEquals(5000 - 100, guest.outProdVolatile(), "wrapped past 2^32");
        for (int i = 0; i < 5000; i++)
        {
            assertEquals(bytes.getByte(i), scratch.getByte(i), "byte " + i);
        }
        assertEquals(2048, guest.writeOut(bytes, 0, 5000), "exactly one ring of space");
        assertEquals(2048, daemon.readOut(scratch, 0, 5000));
    }

    @Test
    void hostileProducerIndexIsRejectedWithoutCopying()
    {
        guest.initialise(0xFFFF_FF00);
        page.putInt(XenconsInterfaceDescriptor.OUT_PROD_OFFSET, 0xFFFF_FF00 + 2049);
        assertEquals(RING_BROKEN, daemon.readOut(scratch, 0, 4096));
        assertEquals(0xFFFF_FF00, daemon.outConsVolatile(), "nothing consumed");

        page.putInt(XenconsInterfaceDescriptor.OUT_PROD_OFFSET, 0xFFFF_FF00 - 1);
        assertEquals(RING_BROKEN, daemon.readOut(scratch, 0, 4096), "producer behind the consumer");

        page.putInt(XenconsInterfaceDescriptor.OUT_PROD_OFFSET, 0xFFFF_FF00 + 2048);
        assertEquals(2048, daemon.readOut(scratch, 0, 4096), "exactly full is legal");
    }

    @Test
    void hostileConsumerIndexIsRejectedWithoutWriting()
    {
        page.putInt(XenconsInterfaceDescriptor.IN_CONS_OFFSET, 5);
        assertEquals(RING_BROKEN, daemon.writeIn(ascii("x"), 0, 1), "consumer ahead of producer");
        assertEquals(0, daemon.inProdVolatile());
        assertEquals(0, page.getByte(XenconsInterfaceDescriptor.IN_OFFSET));
    }

    @Test
    void zeroAndNegativeLengthsMoveNothing()
    {
        assertEquals(0, guest.writeOut(ascii("abc"), 0, 0));
        assertEquals(0, guest.writeOut(ascii("abc"), 0, -5));
        assertEquals(0, guest.outProdVolatile());
        assertEquals(0, daemon.readOut(scratch, 0, -1));
    }

    @Test
    void wrapRejectsRegionsThatDoNotFit()
    {
        assertThrows(IllegalArgumentException.class, () -> new XenconsInterfaceFlyweight().wrap(page, 2));
        assertThrows(IllegalArgumentException.class, () -> new XenconsInterfaceFlyweight().wrap(page, 1024));
        assertEquals(3088, XenconsInterfaceDescriptor.LENGTH);
    }

    private static UnsafeBuffer ascii(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static UnsafeBuffer pattern(final int length)
    {
        final UnsafeBuffer bytes = new UnsafeBuffer(new byte[length]);
        for (int i = 0; i < length; i++)
        {
            bytes.putByte(i, (byte)(i * 31 + (i >>> 8)));
        }
        return bytes;
    }
}
