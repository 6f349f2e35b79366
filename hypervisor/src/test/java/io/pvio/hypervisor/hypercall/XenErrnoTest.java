package io.pvio.hypervisor.hypercall;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class XenErrnoTest
{
    private static final Path HEADER = Path.of("/usr/include/xen/errno.h");

    @Test
    void valuesMatchXensHeader() throws IOException
    {
        assumeTrue(Files.isReadable(HEADER), "Xen headers not installed (apt-get install libxen-dev)");
        final Map<String, Integer> header = new HashMap<>();
        final Matcher matcher = Pattern.compile("XEN_ERRNO\\((\\w+),\\s*(\\d+)\\)").matcher(Files.readString(HEADER));
        while (matcher.find())
        {
            header.put(matcher.group(1), Integer.parseInt(matcher.group(2)));
        }
        assertTrue(header.size() > 40, "parsed the header");
        for (final XenErrno errno : XenErrno.values())
        {
            assertEquals(header.get(errno.name()), errno.code(), errno.name());
        }
    }

    @Test
    void lookupByCodeOrNegatedReturnValue()
    {
        assertSame(XenErrno.EINVAL, XenErrno.of(22));
        assertSame(XenErrno.EINVAL, XenErrno.of(-22));
        assertEquals(-22, XenErrno.EINVAL.negated());
        assertSame(XenErrno.EPERM, XenErrno.of(XenErrno.EPERM.negated()));
        assertNull(XenErrno.of(4), "EINTR is internal to Xen");
        assertNull(XenErrno.of(500));
    }

    @Test
    void exceptionCarriesErrnoAndOperation()
    {
        final HypercallException ex = new HypercallException(XenErrno.ESRCH, HypercallOp.DOMCTL_PAUSEDOMAIN, "gone");
        assertSame(XenErrno.ESRCH, ex.errno());
        assertSame(HypercallOp.DOMCTL_PAUSEDOMAIN, ex.op());
        assertTrue(ex.getMessage().contains("ESRCH"));
        assertEquals(36, ex.op().hypercall().number());
        assertEquals(3, ex.op().subOp());
        assertTrue(ex.op().isPrivileged());
    }

    @Test
    void countersCountPerOperation()
    {
        final HypercallCounters counters = new HypercallCounters();
        counters.increment(HypercallOp.EVTCHN_SEND);
        counters.increment(HypercallOp.EVTCHN_SEND);
        counters.increment(HypercallOp.GNTTAB_COPY);
        assertEquals(2, counters.count(HypercallOp.EVTCHN_SEND));
        assertEquals(0, counters.count(HypercallOp.EVTCHN_CLOSE));
        assertEquals(3, counters.total());
        assertEquals(Map.of(HypercallOp.EVTCHN_SEND, 2L, HypercallOp.GNTTAB_COPY, 1L), counters.snapshot());
    }
}
