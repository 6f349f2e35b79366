package io.pvio.hypervisor.xenbus;

import io.pvio.hypervisor.xenstore.XenStore;
import io.pvio.hypervisor.xenstore.XenStoreClient;
import io.pvio.hypervisor.xenstore.XsQuota;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XenbusClientTest
{
    private final XenStore store = new XenStore(XsQuota.defaults());
    private final XenStoreClient dom0 = new XenStoreClient(store, 0, true);
    private final XenbusClient xenbus = new XenbusClient(dom0);

    @Test
    void statesParseStrictlyAndSwitch()
    {
        for (final XenbusState state : XenbusState.values())
        {
            assertEquals(state, XenbusState.parse(state.text()));
        }
        assertEquals(XenbusState.UNKNOWN, XenbusState.parse("9"));
        assertEquals(XenbusState.UNKNOWN, XenbusState.parse("44"));
        assertEquals(XenbusState.UNKNOWN, XenbusState.parse(""));
        assertEquals(XenbusState.UNKNOWN, xenbus.readState("/tool/dev"));
        dom0.write("/tool/dev/state", XenbusState.INITIALISING.text());
        assertTrue(xenbus.switchState("/tool/dev", XenbusState.CONNECTED));
        assertEquals("4", dom0.read("/tool/dev/state"));
        assertEquals(XenbusState.CONNECTED, xenbus.readState("/tool/dev"));
    }

    @Test
    void aStateIsNeverWrittenIntoARemovedDevice()
    {
        // the toolstack created the device, then removed it while this end was about to change state: as Linux's
        // xenbus_switch_state, the write is dropped instead of creating the directory again, which would leave a
        // device that nobody removes
        dom0.write("/tool/dev/state", XenbusState.CLOSED.text());
        dom0.rm(0, "/tool/dev");
        assertFalse(xenbus.switchState("/tool/dev", XenbusState.INIT_WAIT));
        assertFalse(dom0.exists(0, "/tool/dev"));

        // the same check inside a transaction that also writes other keys (a driver publishing its negotiation)
        final boolean written = xenbus.transaction("/tool/dev", tx ->
        {
            if (!tx.hasState())
            {
                return false;
            }
            tx.write("ring-ref", 8);
            return true;
        });
        assertFalse(written);
        assertFalse(dom0.exists(0, "/tool/dev"));
    }

    @Test
    void typedKeysAreRangeCheckedWithDefaults()
    {
        xenbus.transaction("/tool/dev", tx ->
        {
            tx.write("queues", 4);
            tx.writeFlag("feature-x", true);
            tx.write("junk", "12ab");
            tx.write("huge", "99999999999999999999");
            return null;
        });
        xenbus.transaction("/tool/dev", tx ->
        {
            assertEquals(4, tx.readInt("queues", 1, 8, 1));
            assertEquals(1, tx.readInt("missing", 1, 8, 1));
            assertTrue(tx.readFlag("feature-x", false));
            assertThrows(XenbusProtocolException.class, () -> tx.readInt("queues", 1, 2, 1));
            assertThrows(XenbusProtocolException.class, () -> tx.readInt("junk", 0, 100, 0));
            assertThrows(XenbusProtocolException.class, () -> tx.readLong("huge", 0, Long.MAX_VALUE, 0));
            tx.remove("junk");
            tx.remove("never-there");
            return null;
        });
        assertFalse(dom0.exists(0, "/tool/dev/junk"));
    }

    @Test
    void transactionIsRetriedOnEagain()
    {
        dom0.write("/tool/n", "0");
        final AtomicInteger runs = new AtomicInteger();
        xenbus.transaction("/tool", tx ->
        {
            final int n = tx.readInt("n", 0, 1000, 0);
            if (runs.incrementAndGet() == 1)
            {
                dom0.write("/tool/n", "10");
            }
            tx.write("n", n + 1);
            return null;
        });
        assertEquals(2, runs.get());
        assertEquals("11", dom0.read("/tool/n"));
    }
}
