package io.pvio.ring.grant;

import io.pvio.ring.SharedMemory;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.pvio.ring.grant.GrantEntryV1Descriptor.GTF_ACCEPT_TRANSFER;
import static io.pvio.ring.grant.GrantEntryV1Descriptor.GTF_INVALID;
import static io.pvio.ring.grant.GrantEntryV1Descriptor.GTF_PERMIT_ACCESS;
import static io.pvio.ring.grant.GrantEntryV1Descriptor.GTF_READING;
import static io.pvio.ring.grant.GrantEntryV1Descriptor.GTF_READONLY;
import static io.pvio.ring.grant.GrantEntryV1Descriptor.GTF_TRANSFER_COMPLETED;
import static io.pvio.ring.grant.GrantEntryV1Descriptor.GTF_WRITING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GrantEntryV1FlyweightTest
{
    private static final int TABLE_OFFSET = 4096;
    private static final int TABLE_BYTES = 2 * 4096;

    private AtomicBuffer buffer;
    private final GrantEntryV1Flyweight guest = new GrantEntryV1Flyweight();
    private final GrantEntryV1Flyweight hypervisor = new GrantEntryV1Flyweight();

    @BeforeEach
    void setUp()
    {
        buffer = SharedMemory.allocateOffHeap(4 * 4096).buffer();
    }

    @Test
    void descriptorMatchesHeaderFigures()
    {
        assertEquals(8, GrantEntryV1Descriptor.ENTRY_LENGTH);
        assertEquals(512, GrantEntryV1Descriptor.ENTRIES_PER_FRAME);
        assertEquals(8, GrantEntryV1Descriptor.FIRST_UNRESERVED_REF);
        assertEquals(0x1234_0019, GrantEntryV1Descriptor.flagsDomidWord(0x19, 0x1234));
        assertEquals(0x19, GrantEntryV1Descriptor.flagsOf(0xFFFF_0019));
        assertEquals(0xFFFF, GrantEntryV1Descriptor.domidOf(0xFFFF_0019));
        assertTrue(GrantEntryV1Descriptor.isValidGrantRef(1023, 1024));
        assertFalse(GrantEntryV1Descriptor.isValidGrantRef(1024, 1024));
        assertFalse(GrantEntryV1Descriptor.isValidGrantRef(-1, 1024), "refs are unsigned");
    }

    @Test
    void publishWritesHeaderLayoutBytes()
    {
        guest.wrap(buffer, TABLE_OFFSET, TABLE_BYTES, 600).publish(0x0102, 0xA0B0C0D0, GTF_PERMIT_ACCESS);

        final int base = TABLE_OFFSET + 600 * 8;
        assertEquals(base, guest.offset());
        assertEquals(GTF_PERMIT_ACCESS, buffer.getShort(base) & 0xFFFF);
        assertEquals(0x02, buffer.getByte(base + 2));
        assertEquals(0x01, buffer.getByte(base + 3));
        assertEquals(0xA0B0C0D0, buffer.getInt(base + 4));
        assertEquals(0x0102, guest.domid());
        assertEquals(0xA0B0C0D0, guest.frame());
        assertEquals(GrantEntryV1Descriptor.flagsDomidWord(GTF_PERMIT_ACCESS, 0x0102),
            hypervisor.wrap(buffer, base).flagsDomidAcquire());
    }

    @Test
    void publishRejectsBadArgumentsAndLiveEntries()
    {
        guest.wrap(buffer, TABLE_OFFSET, TABLE_BYTES, 9);
        assertThrows(IllegalArgumentException.class, () -> guest.publish(0x10000, 1, GTF_PERMIT_ACCESS));
        assertThrows(IllegalArgumentException.class, () -> guest.publish(1, 1, GTF_INVALID));
        assertThrows(IllegalArgumentException.class, () -> guest.publish(1, 1, GTF_PERMIT_ACCESS | GTF_READING));
        assertThrows(IllegalArgumentException.class,
            () -> guest.publish(1, 1, GTF_ACCEPT_TRANSFER | GTF_TRANSFER_COMPLETED));
        guest.permitAccess(1, 77, true);
        assertEquals(GTF_PERMIT_ACCESS | GTF_READONLY, guest.flagsVolatile());
        assertThrows(IllegalStateException.class, () -> guest.permitAccess(1, 78, false));
        assertEquals(77, guest.frame());
    }

    @Test
    void wrapRejectsRefsOutsideTheTableAndMisalignedEntries()
    {
        assertThrows(IllegalArgumentException.class, () -> guest.wrap(buffer, TABLE_OFFSET, TABLE_BYTES, 1024));
        assertThrows(IllegalArgumentException.class, () -> guest.wrap(buffer, TABLE_OFFSET, TABLE_BYTES, -1));
        assertThrows(IllegalArgumentException.class, () -> guest.wrap(buffer, 4, 4096, 0));
        assertThrows(IllegalArgumentException.class, () -> guest.wrap(buffer, 12));
        assertThrows(IllegalArgumentException.class, () -> guest.wrap(buffer, buffer.capacity()));
        guest.wrap(buffer, TABLE_OFFSET, TABLE_BYTES, 1023);
        assertEquals(TABLE_OFFSET + TABLE_BYTES - 8, guest.offset());
    }

    @Test
    void revokeSucceedsOnlyWhileNotMapped()
    {
        guest.wrap(buffer, TABLE_OFFSET, TABLE_BYTES, 8).permitAccess(5, 1234, false);
        hypervisor.wrap(buffer, guest.offset());

        final int word = hypervisor.flagsDomidAcquire();
        assertTrue(hypervisor.compareAndSetFlagsDomid(word, word | GTF_READING | GTF_WRITING));
        assertFalse(guest.tryRevoke(), "mapped entries cannot be revoked");
        assertEquals(GTF_PERMIT_ACCESS | GTF_READING | GTF_WRITING, guest.flagsVolatile());

        assertEquals(GTF_PERMIT_ACCESS | GTF_READING | GTF_WRITING, hypervisor.getAndClearFlags(GTF_READING));
        assertFalse(guest.tryRevoke(), "still mapped for writing");
        hypervisor.getAndClearFlags(GTF_WRITING);

        assertTrue(guest.tryRevoke());
        assertEquals(GTF_INVALID, guest.flagsVolatile());
        assertEquals(5, guest.domid(), "revoke clears flags only");
        guest.permitAccess(6, 99, false);
        assertEquals(6, guest.domid());
    }

    @Test
    void hypervisorClaimFailsWhenGuestRevokedOrChangedDomidMeanwhile()
    {
        guest.wrap(buffer, TABLE_OFFSET, TABLE_BYTES, 10).permitAccess(5, 1234, false);
        hypervisor.wrap(buffer, guest.offset());

        final int seen = hypervisor.flagsDomidAcquire();
        assertTrue(guest.tryRevoke());
        guest.permitAccess(6, 1234, false);

        assertFalse(hypervisor.compareAndSetFlagsDomid(seen, seen | GTF_READING));
        final int witness = hypervisor.compareAndExchangeFlagsDomid(seen, seen | GTF_READING);
        assertEquals(GrantEntryV1Descriptor.flagsDomidWord(GTF_PERMIT_ACCESS, 6), witness);
        assertEquals(GTF_PERMIT_ACCESS, guest.flagsVolatile(), "failed claims leave the entry alone");
    }

    @Test
    void flagBitHelpersPreserveDomidAndOtherFlags()
    {
        guest.wrap(buffer, TABLE_OFFSET, TABLE_BYTES, 11).permitAccess(0xFFFF, 1, true);
        hypervisor.wrap(buffer, guest.offset());

        assertEquals(GTF_PERMIT_ACCESS | GTF_READONLY, hypervisor.getAndSetFlags(GTF_READING));
        assertEquals(GTF_PERMIT_ACCESS | GTF_READONLY | GTF_READING, hypervisor.getAndClearFlags(GTF_READING));
        assertEquals(GrantEntryV1Descriptor.flagsDomidWord(GTF_PERMIT_ACCESS | GTF_READONLY, 0xFFFF),
            hypervisor.flagsDomidAcquire());
        hypervisor.getAndClearFlags(0xFFFF_0000);
        assertEquals(0xFFFF, hypervisor.domid(), "bits above flags are ignored");
    }
}
