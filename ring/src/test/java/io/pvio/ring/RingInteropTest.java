package io.pvio.ring;

import io.pvio.ring.blkif.BlkifConformancePattern;
import io.pvio.ring.blkif.BlkifRings;
import io.pvio.ring.testkit.BlkifPeerProcess;
import io.pvio.ring.testkit.BlkifTestBack;
import io.pvio.ring.testkit.BlkifTestFront;
import io.pvio.ring.testkit.Doorbells;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java ring against Xen's own ring macros: a C program built from {@code ring.h} and {@code blkif.h}
 * ({@code c/blkif_peer.c}) runs as one end of a blkif ring in a shared file, pvio's {@link FrontRing} or
 * {@link BackRing} as the other. Every field of every request is checked by the receiving side, every response by
 * the front end. Both sides sleep on the event index and kick through {@link Doorbells} only when the ring says so:
 * a notification wrongly suppressed by either implementation deadlocks the exchange, and the deadlines turn that
 * into a failure ({@link #aFrontEndThatIgnoresTheEventIndexIsCaught} shows they do).
 */
class RingInteropTest
{
    private static final int REQUEST_COUNT = 20_000;
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String C_TIMEOUT_SECONDS = "60";

    private static Path executable;
    private Path workDir;
    private Path ringFile;

    @BeforeAll
    static void compilePeer()
    {
        executable = BlkifPeerProcess.compile(Paths.get("target", "native-interop"));
    }

    @BeforeEach
    void createWorkDir() throws IOException
    {
        final Path shm = Paths.get("/dev/shm");
        workDir = Files.createTempDirectory(Files.isDirectory(shm) ? shm : Paths.get("target"), "pvio-interop-");
        ringFile = workDir.resolve("ring-" + UUID.randomUUID());
    }

    @AfterEach
    void deleteWorkDir() throws IOException
    {
        try (Stream<Path> files = Files.walk(workDir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Test
    void cPeerSeesTheSameRingLayoutAndDoorbellOffsets()
    {
        final BlkifPeerProcess.Result layout = BlkifPeerProcess.layout(executable, workDir);
        assertEquals(0, layout.exitCode(), layout::describe);
        assertEquals(BlkifRings.X86_64.ringSize(0), layout.count("ring_size"));
        assertEquals(BlkifRings.X86_64.requestBytes(), layout.count("request_bytes"));
        assertEquals(BlkifRings.X86_64.responseBytes(), layout.count("response_bytes"));
        assertEquals(BlkifRings.X86_64.entryBytes(), layout.count("entry_bytes"));
        assertEquals(SringDescriptor.HEADER_LENGTH, layout.count("ring_offset"));
        assertEquals(Doorbells.FRONT_DOORBELL_OFFSET, layout.count("front_doorbell"));
        assertEquals(Doorbells.BACK_DOORBELL_OFFSET, layout.count("back_doorbell"));
        assertEquals(Doorbells.FILE_LENGTH_BYTES, layout.count("doorbell_file_bytes"));
        assertEquals(BlkifConformancePattern.ID_BASE, layout.count("id_base"));
    }

    @Test
    void cFrontEndAndJavaBackEnd()
    {
        // Xen's way round: the front end creates and initialises the ring; the back end attaches once it exists.
        try (BlkifPeerProcess cFront = BlkifPeerProcess.start(executable, workDir, "front", ringFile.toString(),
            Integer.toString(REQUEST_COUNT), "--init", "--doorbell", "--timeout-seconds", C_TIMEOUT_SECONDS))
        {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(ringFile) || !cFront.isAlive());
            assertTrue(Files.exists(ringFile), () -> "C front end did not create the ring: " +
                cFront.awaitExit(Duration.ofSeconds(5)).describe());

            try (SharedMemory memory = SharedMemory.openFile(ringFile))
            {
                final SharedRing ring = SharedRing.ofPageOrder(memory.buffer(), 0, BlkifRings.X86_64);
                final Doorbells doorbells = Doorbells.forBackEnd(memory.buffer());
                final BlkifTestBack javaBack = new BlkifTestBack(BackRing.attach(ring), doorbells, REQUEST_COUNT);
                assertTimeoutPreemptively(DEADLINE, () -> javaBack.run(deadlineNs()));

                final BlkifPeerProcess.Result c = cFront.awaitExit(DEADLINE);
                System.out.printf("C front -> Java back: %d requests; C front kicked %d times, waited %d; " +
                    "Java back kicked %d times, waited %d%n", javaBack.served(), c.count("notifications"),
                    c.count("waits"), javaBack.kicksSent(), javaBack.waits());

                assertNull(javaBack.firstError(), "Java back end found a bad request");
                assertEquals(REQUEST_COUNT, javaBack.served());
                assertEquals(0, c.exitCode(), c::describe);
                assertEquals(REQUEST_COUNT, c.count("requests"), c::describe);
                assertEquals(REQUEST_COUNT, c.count("responses"), c::describe);
                assertEquals(0, c.count("errors"), c::describe);
                // every kick each side counted arrived, and nothing else touched the doorbells
                assertEquals(c.count("notifications"), doorbells.ownCounter(), "kicks from the C front end");
                assertEquals(javaBack.kicksSent(), doorbells.peerCounter(), "kicks from the Java back end");
                assertTrue(javaBack.kicksSent() > 0 && c.count("notifications") > 0, "both sides had to kick");
            }
        }
    }

    @Test
    void javaFrontEndAndCBackEnd()
    {
        try (SharedMemory memory = SharedMemory.createFile(ringFile, Doorbells.FILE_LENGTH_BYTES))
        {
            final SharedRing ring = SharedRing.ofPageOrder(memory.buffer(), 0, BlkifRings.X86_64);
            final FrontRing front = FrontRing.initialise(ring);
            final Doorbells doorbells = Doorbells.forFrontEnd(memory.buffer());
            final BlkifTestFront javaFront = new BlkifTestFront(front, doorbells, REQUEST_COUNT);
            try (BlkifPeerProcess cBack = BlkifPeerProcess.start(executable, workDir, "back", ringFile.toString(),
                Integer.toString(REQUEST_COUNT), "--doorbell", "--timeout-seconds", C_TIMEOUT_SECONDS))
            {
                assertTimeoutPreemptively(DEADLINE, () -> javaFront.run(deadlineNs()));

                final BlkifPeerProcess.Result c = cBack.awaitExit(DEADLINE);
                System.out.printf("Java front -> C back: %d requests; Java front kicked %d times, waited %d; " +
                    "C back kicked %d times, waited %d%n", javaFront.requestsSent(), javaFront.kicksSent(),
                    javaFront.waits(), c.count("notifications"), c.count("waits"));

                assertEquals(REQUEST_COUNT, javaFront.responsesReceived());
                assertEquals(0, c.exitCode(), c::describe);
                assertEquals(REQUEST_COUNT, c.count("requests"), c::describe);
                assertEquals(0, c.count("errors"), c::describe);
                assertEquals(javaFront.kicksSent(), doorbells.peerCounter(), "kicks from the Java front end");
                assertEquals(c.count("notifications"), doorbells.ownCounter(), "kicks from the C back end");
                assertTrue(javaFront.kicksSent() > 0 && c.count("notifications") > 0, "both sides had to kick");
            }
        }
    }

    @Test
    void javaFrontEndCatchesACBackEndThatAnswersWithForeignIds()
    {
        try (SharedMemory memory = SharedMemory.createFile(ringFile, Doorbells.FILE_LENGTH_BYTES))
        {
            final FrontRing front = FrontRing.initialise(SharedRing.ofPageOrder(memory.buffer(), 0, BlkifRings.X86_64));
            final BlkifTestFront javaFront =
                new BlkifTestFront(front, Doorbells.forFrontEnd(memory.buffer()), REQUEST_COUNT);
            try (BlkifPeerProcess cBack = BlkifPeerProcess.start(executable, workDir, "back", ringFile.toString(),
                Integer.toString(REQUEST_COUNT), "--doorbell", "--corrupt-every", "100", "--timeout-seconds", "10"))
            {
                final AssertionError error = assertThrows(AssertionError.class,
                    () -> assertTimeoutPreemptively(DEADLINE, () -> javaFront.run(deadlineNs())));
                assertTrue(error.getMessage().contains("was not issued or is not outstanding"), error::getMessage);
                // the 100th response was the first bad one; the 99 before it all checked out
                assertEquals(99, javaFront.responsesReceived());
                assertTrue(cBack.isAlive(), "the C back end still waits for the requests the front end never sent");
            }
        }
    }

    @Test
    void aFrontEndThatIgnoresTheEventIndexIsCaught()
    {
        // The harness itself under test: a Java front end that never kicks must leave the C back end asleep, and
        // both deadlines must fire instead of the test hanging.
        try (SharedMemory memory = SharedMemory.createFile(ringFile, Doorbells.FILE_LENGTH_BYTES))
        {
            final FrontRing front = FrontRing.initialise(SharedRing.ofPageOrder(memory.buffer(), 0, BlkifRings.X86_64));
            final BlkifTestFront javaFront =
                new BlkifTestFront(front, Doorbells.forFrontEnd(memory.buffer()), REQUEST_COUNT).dropKicks();
            try (BlkifPeerProcess cBack = BlkifPeerProcess.start(executable, workDir, "back", ringFile.toString(),
                Integer.toString(REQUEST_COUNT), "--doorbell", "--timeout-seconds", "1"))
            {
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                final IllegalStateException stuck = assertThrows(IllegalStateException.class,
                    () -> assertTimeoutPreemptively(DEADLINE, () -> javaFront.run(deadlineNs)));
                assertTrue(stuck.getMessage().contains("no kick arrived"), stuck::getMessage);

                final BlkifPeerProcess.Result c = cBack.awaitExit(DEADLINE);
                assertEquals(124, c.exitCode(), c::describe);
                assertTrue(c.stderr().contains("watchdog"), c::describe);
                assertTrue(javaFront.responsesReceived() < REQUEST_COUNT);
            }
        }
    }

    private static long deadlineNs()
    {
        return System.nanoTime() + DEADLINE.toNanos() - TimeUnit.SECONDS.toNanos(1);
    }
}
