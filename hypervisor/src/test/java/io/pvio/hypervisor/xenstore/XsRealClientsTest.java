package io.pvio.hypervisor.xenstore;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Debian's real {@code xenstore-*} clients against {@link XsSocketServer}. */
class XsRealClientsTest
{
    @TempDir
    Path dir;

    private XenStore store;
    private XsSocketServer server;
    private AgentRunner runner;
    private RealXenstoreClients clients;
    private XenStoreClient dom0;

    @BeforeEach
    void start()
    {
        RealXenstoreClients.require();
        store = new XenStore(XsQuota.defaults());
        server = XsSocketServer.bind(store, dir.resolve("xenstored.sock"), 16);
        runner = new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null, server);
        AgentRunner.startOnThread(runner);
        clients = new RealXenstoreClients(server.socketPath());
        dom0 = new XenStoreClient(store, 0, true);
    }

    @AfterEach
    void stop()
    {
        if (runner != null)
        {
            runner.close();
        }
    }

    @Test
    void writeReadListExistsRm()
    {
        clients.ok("xenstore-write", "/local/domain/3/name", "guest3", "/vm/abc/uuid", "abc");
        assertEquals("guest3", dom0.read("/local/domain/3/name"));
        assertEquals("guest3\n", clients.ok("xenstore-read", "/local/domain/3/name"));
        assertEquals("name\n", clients.ok("xenstore-list", "/local/domain/3"));
        assertEquals(0, clients.run("xenstore-exists", "/vm/abc/uuid").exitCode());
        assertNotEquals(0, clients.run("xenstore-exists", "/vm/nothing").exitCode());
        assertNotEquals(0, clients.run("xenstore-read", "/vm/nothing").exitCode());

        clients.ok("xenstore-rm", "/vm/abc");
        assertTrue(!dom0.exists(0, "/vm/abc"));
        assertNotEquals(0, clients.run("xenstore-exists", "/vm/abc/uuid").exitCode());
    }

    @Test
    void lsShowsTreeAndPermissions()
    {
        dom0.write("/tool/t/a", "1");
        dom0.write("/tool/t/b/c", "two");
        final String tree = clients.ok("xenstore-ls", "/tool/t");
        assertEquals("a = \"1\"\nb = \"\"\n c = \"two\"\n", tree);
        clients.ok("xenstore-chmod", "/tool/t/a", "r5", "w6");
        assertEquals(new XsPermissions(new char[] {'r', 'w'}, new int[] {5, 6}), dom0.getPerms(0, "/tool/t/a"));
        assertTrue(clients.ok("xenstore-ls", "-p", "/tool/t").contains("(r5,w6)"));
    }

    @Test
    void lsOfALargeDirectory()
    {
        final int children = 400;
        dom0.transaction(tx ->
        {
            for (int i = 0; i < children; i++)
            {
                dom0.write(tx, "/tool/big/child-with-a-long-name-" + i, "v");
            }
            return null;
        });
        assertEquals(children, clients.ok("xenstore-list", "/tool/big").lines().count());
    }

    @Test
    void writeIsReplayedOnEagain()
    {
        dom0.write("/tool/x", "before");
        final AtomicInteger commits = new AtomicInteger();
        store.beforeCommit(() ->
        {
            if (commits.incrementAndGet() <= 2)
            {
                dom0.write("/tool/x", "interloper-" + commits.get());
            }
        });
        // one pair is written without a transaction; two or more go in one, retried on EAGAIN
        clients.ok("xenstore-write", "/tool/x", "mine", "/tool/y", "also");
        assertEquals("mine", dom0.read("/tool/x"));
        assertEquals("also", dom0.read("/tool/y"));
        assertTrue(commits.get() >= 3, "xenstore-write committed " + commits.get() + " times");
    }

    @Test
    void watchSeesInitialEventAndChanges() throws Exception
    {
        dom0.write("/tool/w/a", "0");
        final Process watch = clients.start("xenstore-watch", "/tool/w");
        final List<String> lines = new CopyOnWriteArrayList<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    lines.add(line);
                }
            }
            catch (final java.io.IOException ignore)
            {
                // the process was destroyed
            }
        });
        reader.start();
        try
        {
            await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains("/tool/w"));
            dom0.write("/tool/w/a/deep", "1");
            await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains("/tool/w/a/deep"));
            dom0.write("/tool/other", "1");
            dom0.rm(0, "/tool/w/a");
            await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains("/tool/w/a"));
            assertTrue(!lines.contains("/tool/other"), lines::toString);
        }
        finally
        {
            watch.destroy();
            reader.join(10_000);
        }
    }
}
