package io.pvio.hypervisor.domain;

/**
 * A domain's life:
 * <pre>
 *   create -&gt; PAUSED &lt;-&gt; RUNNING
 *   PAUSED | RUNNING -- guest shuts down or crashes --&gt; SHUTDOWN -- reaper --&gt; DYING -&gt; DEAD (kept until destroyed)
 *   PAUSED | RUNNING | SHUTDOWN -- dom0 destroys --&gt; DYING -&gt; DEAD (removed)
 * </pre>
 * Only {@link #PAUSED}, {@link #RUNNING} and {@link #SHUTDOWN} domains hold resources others may reach
 * ({@link #holdsResources()}); teardown moves through {@link #DYING} and ends in {@link #DEAD}.
 */
public enum DomainState
{
    /** Created or paused by dom0: vCPUs run no guest code. */
    PAUSED,
    /** vCPUs run guest code. */
    RUNNING,
    /** The guest shut itself down or crashed; its vCPUs have stopped running guest code; teardown is queued. */
    SHUTDOWN,
    /** Teardown in progress: no new cross-domain access is admitted. */
    DYING,
    /** Every resource reclaimed. */
    DEAD;

    /** Whether others may still reach this domain's frames, ports and grants. */
    public boolean holdsResources()
    {
        return this == PAUSED || this == RUNNING || this == SHUTDOWN;
    }
}
