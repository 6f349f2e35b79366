package io.pvio.hypervisor;

import io.pvio.hypervisor.domain.Domain;
import io.pvio.hypervisor.domain.VcpuContext;
import io.pvio.hypervisor.grant.GrantCopyBatch;
import io.pvio.hypervisor.grant.GrantStatus;
import io.pvio.hypervisor.guest.GrantAccess;
import io.pvio.hypervisor.hypercall.Hypercalls;
import io.pvio.hypervisor.memory.MachineMemory;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regression tests from the security review: each one is an attack a hostile domU could mount with the hypercalls
 * and views it is legitimately given, which used to reach memory or resources that are not its own.
 */
class IsolationRegressionTest
{
    private static final long DATA_GFN = 5;
    private static final long OTHER_GFN = 6;

    private final TestHypervisor t = TestHypervisor.boot(256);
    private final ScriptedGuest[] attackerGuest = new ScriptedGuest[1];
    private final Domain attacker = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(attackerGuest)));
    private final Domain victim = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])));
    private final Hypercalls evil = attacker.hypercalls();
    private final GrantAccess victimGrants = new GrantAccess(victim.guestMemory(), victim.startInfo());

    @AfterEach
    void close()
    {
        t.close();
    }

    /**
     * Maptrack used to reuse one buffer per handle for writable and read-only mappings: the writable view kept from
     * an earlier mapping wrote straight through a read-only grant later mapped on the same handle.
     */
    @Test
    void aStaleWritableViewCannotWriteAReadOnlyGrantMappedOnTheSameHandle()
    {
        final int writableRef = victimGrants.grantAccess(attacker.domid(), DATA_GFN, false);
        final int first = evil.grantTable().mapGrantRef(victim.domid(), writableRef, false);
        final AtomicBuffer stale = evil.grantTable().writableView(first);
        assertEquals(GrantStatus.OKAY, evil.grantTable().unmapGrantRef(first));

        victim.guestMemory().frame(OTHER_GFN).putLong(0, 7L);
        final int readOnlyRef = victimGrants.grantAccess(attacker.domid(), OTHER_GFN, true);
        final int second = evil.grantTable().mapGrantRef(victim.domid(), readOnlyRef, true);
        assertEquals(first, second, "precondition: the freed handle is reused");

        stale.putLong(0, 0xBADL);

        assertEquals(7L, victim.guestMemory().frame(OTHER_GFN).getLong(0), "read-only grant written");
        assertEquals(7L, evil.grantTable().readOnlyView(second).getLong(0));
    }

    /**
     * A mapping made by a domain after its teardown released its mappings was never released: the granter's entry
     * stayed in use (GTF_reading/GTF_writing) and its frame referenced for ever.
     */
    @Test
    void aDestroyedDomainCannotMapOrCopyGrants()
    {
        final int ref = victimGrants.grantAccess(attacker.domid(), DATA_GFN, false);
        final int otherRef = victimGrants.grantAccess(attacker.domid(), OTHER_GFN, false);
        victim.guestMemory().frame(DATA_GFN).putLong(0, 42L);
        t.dom0Hypercalls().domctl().destroyDomain(attacker.domid());

        assertTrue(evil.grantTable().mapGrantRef(victim.domid(), ref, false) < 0, "mapped after death");
        final GrantCopyBatch batch = new GrantCopyBatch(1);
        batch.add(GrantCopyBatch.GNTCOPY_SOURCE_GREF | GrantCopyBatch.GNTCOPY_DEST_GREF,
            ref, victim.domid(), 0, otherRef, victim.domid(), 0, 8);
        evil.grantTable().copy(batch);

        assertNotEquals(GrantStatus.OKAY, batch.status(0), "copied after death");
        assertEquals(0L, victim.guestMemory().frame(OTHER_GFN).getLong(0));
        assertEquals(0, victim.grantTable().pinnedRefs());
        assertEquals(0, attacker.maptrack().inUse());
        assertTrue(victimGrants.tryEndAccess(ref), "the granter can take its page back");
    }

    /**
     * The hypervisor's own view of a domain's shared_info outlived the domain: a vCPU context kept by the guest
     * wrote the upcall mask into whichever domain got that frame next.
     */
    @Test
    void aDestroyedDomainsVcpuContextCannotWriteIntoTheNextOwnerOfItsSharedInfoFrame()
    {
        final VcpuContext stale = attackerGuest[0].context;
        final int sharedInfoMfn = attacker.physmap().mfn(Domain.SHARED_INFO_GFN);
        t.dom0Hypercalls().domctl().destroyDomain(attacker.domid());

        final Domain next = t.createRunning(TestHypervisor.manual(ScriptedGuest.image(new ScriptedGuest[1])));
        long gfnOfOldFrame = -1;
        for (long gfn = 0; gfn < next.guestMemory().gfnCount(); gfn++)
        {
            if (next.physmap().mfn(gfn) == sharedInfoMfn)
            {
                gfnOfOldFrame = gfn;
            }
        }
        assertTrue(gfnOfOldFrame > Domain.SHARED_INFO_GFN, "precondition: the frame went to the next domain");
        assertNotEquals(MachineMemory.INVALID_MFN, sharedInfoMfn);
        final AtomicBuffer page = next.guestMemory().frame(gfnOfOldFrame);
        page.putLong(0, -1L);

        stale.block();
        stale.pollEvents();

        assertEquals(-1L, page.getLong(0), "another domain's page written");
    }

    /**
     * ReadOnlyFrame copied into a caller-supplied buffer through Agrona, which hands the source buffer to
     * {@code dst.putBytes(...)}: a hostile destination captured the writable buffer behind a read-only mapping.
     */
    @Test
    void aReadOnlyViewDoesNotHandItsWritableBufferToTheDestinationOfACopy()
    {
        victim.guestMemory().frame(DATA_GFN).putLong(0, 7L);
        victim.guestMemory().frame(DATA_GFN).putLong(8, 8L);
        final int ref = victimGrants.grantAccess(attacker.domid(), DATA_GFN, true);
        final int handle = evil.grantTable().mapGrantRef(victim.domid(), ref, true);
        final Thief thief = new Thief();

        evil.grantTable().readOnlyView(handle).getBytes(0, thief, 0, 16);

        assertArrayEquals(new byte[] {7, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0},
            java.util.Arrays.copyOf(thief.byteArray(), 16), "the copy still works");
        if (thief.captured instanceof MutableDirectBuffer)
        {
            ((MutableDirectBuffer)thief.captured).putLong(0, 0xBADL);
        }
        assertNull(thief.captured, "the source buffer leaked to guest code");
        assertEquals(7L, victim.guestMemory().frame(DATA_GFN).getLong(0), "read-only grant written");
    }

    /** A guest's destination buffer that keeps whatever source buffer it is given. */
    private static final class Thief extends UnsafeBuffer
    {
        DirectBuffer captured;

        Thief()
        {
            super(new byte[64]);
        }

        @Override
        public void putBytes(final int index, final DirectBuffer srcBuffer, final int srcIndex, final int length)
        {
            captured = srcBuffer;
            super.putBytes(index, srcBuffer, srcIndex, length);
        }
    }
}
