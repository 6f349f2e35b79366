package io.pvio.examples.ringpeer;

import io.pvio.ring.SharedMemory;
import io.pvio.ring.SharedRing;
import io.pvio.ring.SringDescriptor;
import io.pvio.ring.blkif.BlkifRings;
import org.agrona.concurrent.AtomicBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Control for {@code pvio ring-peer}: the file holding the one-page blkif ring (x86_64 ABI, 32 entries) that two
 * peer processes map, and the rules for creating and attaching to it.
 * <ul>
 *   <li>{@link #create}: the file must not exist. It is built under a private temporary name, zero-filled, its ring
 *       header initialised ({@code SHARED_RING_INIT}: producers 0, events 1), and only then linked into place; the
 *       link fails if the name was taken meanwhile. A peer that finds the file therefore always finds an initialised
 *       ring, and of two peers racing to create it exactly one wins.</li>
 *   <li>{@link #open}: the file must exist, be exactly one page, and hold an initialised ring that no previous run
 *       has used (the producer indices this peer owns are still 0), since both peers attach at index 0.</li>
 * </ul>
 * Problems with the file as named by the user are {@link IllegalArgumentException}s (bad arguments); I/O failures
 * are {@link UncheckedIOException}s.
 */
public final class RingPeerFile
{
    /** One 4 KiB page: the ring header and 32 blkif entries. */
    public static final int FILE_LENGTH_BYTES = SringDescriptor.PAGE_SIZE_BYTES;

    private RingPeerFile()
    {
    }

    /** Creates {@code file} holding a freshly initialised ring and maps it. */
    public static SharedMemory create(final Path file)
    {
        final Path absolute = file.toAbsolutePath();
        final Path directory = absolute.getParent();
        if (directory == null || !Files.isDirectory(directory))
        {
            throw new IllegalArgumentException("cannot create " + file + ": directory " + directory + " does not exist");
        }
        if (Files.exists(absolute))
        {
            throw new IllegalArgumentException(file + " already exists; --init creates a new ring file " +
                "(delete it, or drop --init to attach to the ring it holds)");
        }
        final Path temporary = directory.resolve(
            "." + absolute.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
        final SharedMemory memory = SharedMemory.createFile(temporary, FILE_LENGTH_BYTES);
        try
        {
            ring(memory).initialise();
            Files.createLink(absolute, temporary);
            return memory;
        }
        catch (final FileAlreadyExistsException ex)
        {
            memory.close();
            throw new IllegalArgumentException(file + " was created by someone else meanwhile; not touching it", ex);
        }
        catch (final IOException ex)
        {
            memory.close();
            throw new UncheckedIOException("cannot create " + file + ": " + ex.getMessage(), ex);
        }
        finally
        {
            deleteQuietly(temporary);
        }
    }

    /** Maps an existing ring file for {@code role}, refusing one that is missing, mis-sized or already used. */
    public static SharedMemory open(final Path file, final RingPeerRole role)
    {
        if (!Files.isRegularFile(file))
        {
            throw new IllegalArgumentException(file + " does not exist; start the other peer with --init first, " +
                "or pass --init to create it");
        }
        final long lengthBytes = lengthOf(file);
        if (lengthBytes != FILE_LENGTH_BYTES)
        {
            throw new IllegalArgumentException(file + " is " + lengthBytes + " bytes; a ring-peer file is exactly " +
                FILE_LENGTH_BYTES + " (one page)");
        }
        final SharedMemory memory = SharedMemory.openFile(file);
        final String problem = checkFresh(memory.buffer(), role);
        if (problem != null)
        {
            memory.close();
            throw new IllegalArgumentException(file + " " + problem + "; create a new ring with --init");
        }
        return memory;
    }

    /** The ring at the start of a ring-peer file. */
    public static SharedRing ring(final SharedMemory memory)
    {
        return SharedRing.ofPageOrder(memory.buffer(), 0, BlkifRings.X86_64);
    }

    /**
     * A peer attaching at index 0 needs a ring whose producers it owns are still at 0, and an initialised header
     * (events start at 1 and are only ever set to a consumer index + 1, so 0 means never initialised).
     */
    private static String checkFresh(final AtomicBuffer buffer, final RingPeerRole role)
    {
        // one-off diagnostic reads at attach time; the data path never relies on them.
        final int reqProd = buffer.getIntVolatile(SringDescriptor.REQ_PROD_OFFSET);
        final int rspProd = buffer.getIntVolatile(SringDescriptor.RSP_PROD_OFFSET);
        final int reqEvent = buffer.getIntVolatile(SringDescriptor.REQ_EVENT_OFFSET);
        final int rspEvent = buffer.getIntVolatile(SringDescriptor.RSP_EVENT_OFFSET);
        if (reqEvent == 0 || rspEvent == 0)
        {
            return "does not hold an initialised ring (req_event " + Integer.toUnsignedString(reqEvent) +
                ", rsp_event " + Integer.toUnsignedString(rspEvent) + ")";
        }
        // the back end owns rsp_prod, the front end req_prod; the front end may already have queued requests.
        if (rspProd != 0 || (role == RingPeerRole.FRONT && reqProd != 0))
        {
            return "holds a ring already used by a previous run (req_prod " + Integer.toUnsignedString(reqProd) +
                ", rsp_prod " + Integer.toUnsignedString(rspProd) + ")";
        }
        return null;
    }

    private static long lengthOf(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the size of " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignored)
        {
            // a stray temporary file (hidden, unique name) is harmless; the ring file itself is in place.
        }
    }
}
