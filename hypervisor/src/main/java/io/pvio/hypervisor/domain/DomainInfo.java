package io.pvio.hypervisor.domain;

/**
 * A snapshot of one domain for dom0 ({@code XEN_DOMCTL_getdomaininfo}).
 *
 * @param domid              its id.
 * @param name               its name.
 * @param state              its state when the snapshot was taken.
 * @param shutdownReason     why it shut down, or {@code null}.
 * @param privileged         whether it is dom0.
 * @param vcpuCount          its vCPUs.
 * @param populatedPages     frames it holds ({@code tot_pages}).
 * @param maxPages           its reservation ceiling ({@code max_pages}).
 * @param openPorts          event channel ports in use.
 * @param grantMappingsHeld  grant mappings it holds of others (maptrack entries in use).
 * @param pinnedGrantRefs    its own grant references others have mapped or are copying.
 * @param hypercallCount     hypercalls it has made.
 */
public record DomainInfo(
    int domid,
    String name,
    DomainState state,
    ShutdownReason shutdownReason,
    boolean privileged,
    int vcpuCount,
    int populatedPages,
    int maxPages,
    int openPorts,
    int grantMappingsHeld,
    int pinnedGrantRefs,
    long hypercallCount)
{
}
