/*
 * layout_dump: prints, as "name value" lines, the sizes, field offsets and constants of every Xen structure pvio
 * mirrors, taken from Xen's own public headers. io.pvio.ring.LayoutConformanceTest compares them with pvio's
 * descriptors. Built natively (x86_64) and, where gcc-multilib is installed, with -m32 for the x86_32 blkif ABI;
 * structures whose i386 layout pvio does not mirror are left out of the -m32 build.
 *
 * Names: "<struct>.<field>" is offsetof, "<struct>.sizeof" is sizeof, anything else a constant.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Xen 4.17's interface version: names grant_entry_v1 and gives vcpu_time_info its flags byte. */
#define __XEN_INTERFACE_VERSION__ 0x00040e00

#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/io/ring.h>
#include <xen/io/blkif.h>
#include <xen/io/netif.h>
#include <xen/io/console.h>
#include <xen/io/protocols.h>
#include <xen/io/xs_wire.h>

#define OFF(name, type, field) printf("%s.%s %lu\n", name, #field, (unsigned long)offsetof(type, field))
#define SIZE(name, type) printf("%s.sizeof %lu\n", name, (unsigned long)sizeof(type))
#define MEMBER_SIZE(name, type, field) \
    printf("%s.%s.sizeof %lu\n", name, #field, (unsigned long)sizeof(((type *)0)->field))
#define CONST(name) printf("%s %ld\n", #name, (long)(name))
#define TEXT(name) printf("%s %s\n", #name, name)
#define DUMP_RING_SIZE(tag, bytes) printf("ring_size.%s.%d %lu\n", #tag, bytes, (unsigned long)__CONST_RING_SIZE(tag, bytes))

static void sring(void)
{
    OFF("sring", struct blkif_sring, req_prod);
    OFF("sring", struct blkif_sring, req_event);
    OFF("sring", struct blkif_sring, rsp_prod);
    OFF("sring", struct blkif_sring, rsp_event);
    OFF("sring", struct blkif_sring, pvt);
    MEMBER_SIZE("sring", struct blkif_sring, pvt);
    OFF("sring", struct blkif_sring, __pad);
    MEMBER_SIZE("sring", struct blkif_sring, __pad);
    OFF("sring", struct blkif_sring, ring);
    /* The header is the same whatever the entry type. */
    OFF("sring.netif_tx", struct netif_tx_sring, ring);
    OFF("sring.netif_rx", struct netif_rx_sring, ring);
}

static void blkif(void)
{
    SIZE("blkif_request_segment", struct blkif_request_segment);
    OFF("blkif_request_segment", struct blkif_request_segment, gref);
    OFF("blkif_request_segment", struct blkif_request_segment, first_sect);
    OFF("blkif_request_segment", struct blkif_request_segment, last_sect);

    SIZE("blkif_request", struct blkif_request);
    OFF("blkif_request", struct blkif_request, operation);
    OFF("blkif_request", struct blkif_request, nr_segments);
    OFF("blkif_request", struct blkif_request, handle);
    OFF("blkif_request", struct blkif_request, id);
    OFF("blkif_request", struct blkif_request, sector_number);
    OFF("blkif_request", struct blkif_request, seg);

    SIZE("blkif_request_indirect", struct blkif_request_indirect);
    OFF("blkif_request_indirect", struct blkif_request_indirect, operation);
    OFF("blkif_request_indirect", struct blkif_request_indirect, indirect_op);
    OFF("blkif_request_indirect", struct blkif_request_indirect, nr_segments);
    OFF("blkif_request_indirect", struct blkif_request_indirect, id);
    OFF("blkif_request_indirect", struct blkif_request_indirect, sector_number);
    OFF("blkif_request_indirect", struct blkif_request_indirect, handle);
    OFF("blkif_request_indirect", struct blkif_request_indirect, indirect_grefs);
#ifdef __i386__
    OFF("blkif_request_indirect", struct blkif_request_indirect, pad);
#endif

    SIZE("blkif_request_discard", struct blkif_request_discard);
    OFF("blkif_request_discard", struct blkif_request_discard, operation);
    OFF("blkif_request_discard", struct blkif_request_discard, flag);
    OFF("blkif_request_discard", struct blkif_request_discard, handle);
    OFF("blkif_request_discard", struct blkif_request_discard, id);
    OFF("blkif_request_discard", struct blkif_request_discard, sector_number);
    OFF("blkif_request_discard", struct blkif_request_discard, nr_sectors);

    SIZE("blkif_response", struct blkif_response);
    OFF("blkif_response", struct blkif_response, id);
    OFF("blkif_response", struct blkif_response, operation);
    OFF("blkif_response", struct blkif_response, status);

    SIZE("blkif_sring_entry", union blkif_sring_entry);
    DUMP_RING_SIZE(blkif, 4096);
    DUMP_RING_SIZE(blkif, 65536);

    CONST(BLKIF_OP_READ);
    CONST(BLKIF_OP_WRITE);
    CONST(BLKIF_OP_WRITE_BARRIER);
    CONST(BLKIF_OP_FLUSH_DISKCACHE);
    CONST(BLKIF_OP_RESERVED_1);
    CONST(BLKIF_OP_DISCARD);
    CONST(BLKIF_OP_INDIRECT);
    CONST(BLKIF_RSP_EOPNOTSUPP);
    CONST(BLKIF_RSP_ERROR);
    CONST(BLKIF_RSP_OKAY);
    CONST(BLKIF_MAX_SEGMENTS_PER_REQUEST);
    CONST(BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST);
    CONST(BLKIF_DISCARD_SECURE);
    CONST(VDISK_CDROM);
    CONST(VDISK_REMOVABLE);
    CONST(VDISK_READONLY);
    printf("segments_per_indirect_page %lu\n", (unsigned long)(4096 / sizeof(struct blkif_request_segment)));

    TEXT(XEN_IO_PROTO_ABI_X86_32);
    TEXT(XEN_IO_PROTO_ABI_X86_64);
}

#ifndef __i386__
static void netif(void)
{
    SIZE("netif_tx_request", struct netif_tx_request);
    OFF("netif_tx_request", struct netif_tx_request, gref);
    OFF("netif_tx_request", struct netif_tx_request, offset);
    OFF("netif_tx_request", struct netif_tx_request, flags);
    OFF("netif_tx_request", struct netif_tx_request, id);
    OFF("netif_tx_request", struct netif_tx_request, size);

    SIZE("netif_tx_response", struct netif_tx_response);
    OFF("netif_tx_response", struct netif_tx_response, id);
    OFF("netif_tx_response", struct netif_tx_response, status);

    SIZE("netif_rx_request", struct netif_rx_request);
    OFF("netif_rx_request", struct netif_rx_request, id);
    OFF("netif_rx_request", struct netif_rx_request, pad);
    OFF("netif_rx_request", struct netif_rx_request, gref);

    SIZE("netif_rx_response", struct netif_rx_response);
    OFF("netif_rx_response", struct netif_rx_response, id);
    OFF("netif_rx_response", struct netif_rx_response, offset);
    OFF("netif_rx_response", struct netif_rx_response, flags);
    OFF("netif_rx_response", struct netif_rx_response, status);

    SIZE("netif_extra_info", struct netif_extra_info);
    OFF("netif_extra_info", struct netif_extra_info, type);
    OFF("netif_extra_info", struct netif_extra_info, flags);
    OFF("netif_extra_info", struct netif_extra_info, u);
    MEMBER_SIZE("netif_extra_info", struct netif_extra_info, u);
    OFF("netif_extra_info", struct netif_extra_info, u.gso.size);
    OFF("netif_extra_info", struct netif_extra_info, u.gso.type);
    OFF("netif_extra_info", struct netif_extra_info, u.gso.pad);
    OFF("netif_extra_info", struct netif_extra_info, u.gso.features);
    OFF("netif_extra_info", struct netif_extra_info, u.mcast.addr);
    MEMBER_SIZE("netif_extra_info", struct netif_extra_info, u.mcast.addr);
    OFF("netif_extra_info", struct netif_extra_info, u.hash.type);
    OFF("netif_extra_info", struct netif_extra_info, u.hash.algorithm);
    OFF("netif_extra_info", struct netif_extra_info, u.hash.value);
    MEMBER_SIZE("netif_extra_info", struct netif_extra_info, u.hash.value);

    SIZE("netif_tx_sring_entry", union netif_tx_sring_entry);
    SIZE("netif_rx_sring_entry", union netif_rx_sring_entry);
    DUMP_RING_SIZE(netif_tx, 4096);
    DUMP_RING_SIZE(netif_tx, 65536);
    DUMP_RING_SIZE(netif_rx, 4096);
    DUMP_RING_SIZE(netif_rx, 65536);

    CONST(NETTXF_csum_blank);
    CONST(NETTXF_data_validated);
    CONST(NETTXF_more_data);
    CONST(NETTXF_extra_info);
    CONST(NETRXF_data_validated);
    CONST(NETRXF_csum_blank);
    CONST(NETRXF_more_data);
    CONST(NETRXF_extra_info);
    CONST(NETRXF_gso_prefix);
    CONST(XEN_NETIF_EXTRA_TYPE_NONE);
    CONST(XEN_NETIF_EXTRA_TYPE_GSO);
    CONST(XEN_NETIF_EXTRA_TYPE_MCAST_ADD);
    CONST(XEN_NETIF_EXTRA_TYPE_MCAST_DEL);
    CONST(XEN_NETIF_EXTRA_TYPE_HASH);
    CONST(XEN_NETIF_EXTRA_TYPE_MAX);
    CONST(XEN_NETIF_EXTRA_FLAG_MORE);
    CONST(XEN_NETIF_GSO_TYPE_NONE);
    CONST(XEN_NETIF_GSO_TYPE_TCPV4);
    CONST(XEN_NETIF_GSO_TYPE_TCPV6);
    CONST(_XEN_NETIF_CTRL_HASH_TYPE_IPV4);
    CONST(_XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP);
    CONST(_XEN_NETIF_CTRL_HASH_TYPE_IPV6);
    CONST(_XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP);
    CONST(XEN_NETIF_CTRL_HASH_ALGORITHM_NONE);
    CONST(XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ);
    CONST(NETIF_RSP_DROPPED);
    CONST(NETIF_RSP_ERROR);
    CONST(NETIF_RSP_OKAY);
    CONST(NETIF_RSP_NULL);
    CONST(XEN_NETIF_NR_SLOTS_MIN);
    CONST(XEN_NETIF_MAX_TX_SIZE);
}

static void console(void)
{
    SIZE("xencons_interface", struct xencons_interface);
    OFF("xencons_interface", struct xencons_interface, in);
    MEMBER_SIZE("xencons_interface", struct xencons_interface, in);
    OFF("xencons_interface", struct xencons_interface, out);
    MEMBER_SIZE("xencons_interface", struct xencons_interface, out);
    OFF("xencons_interface", struct xencons_interface, in_cons);
    OFF("xencons_interface", struct xencons_interface, in_prod);
    OFF("xencons_interface", struct xencons_interface, out_cons);
    OFF("xencons_interface", struct xencons_interface, out_prod);
}

static void grant(void)
{
    SIZE("grant_entry_v1", struct grant_entry_v1);
    OFF("grant_entry_v1", struct grant_entry_v1, flags);
    OFF("grant_entry_v1", struct grant_entry_v1, domid);
    OFF("grant_entry_v1", struct grant_entry_v1, frame);
    printf("grant_entries_per_frame %lu\n", (unsigned long)(4096 / sizeof(struct grant_entry_v1)));
    CONST(GNTTAB_NR_RESERVED_ENTRIES);
    CONST(GNTTAB_RESERVED_CONSOLE);
    CONST(GNTTAB_RESERVED_XENSTORE);
    CONST(GTF_invalid);
    CONST(GTF_permit_access);
    CONST(GTF_accept_transfer);
    CONST(GTF_transitive);
    CONST(GTF_type_mask);
    CONST(GTF_readonly);
    CONST(GTF_reading);
    CONST(GTF_writing);
    CONST(GTF_PWT);
    CONST(GTF_PCD);
    CONST(GTF_PAT);
    CONST(GTF_sub_page);
    CONST(GTF_transfer_committed);
    CONST(GTF_transfer_completed);
}

static void evtchn(void)
{
    SIZE("vcpu_info", struct vcpu_info);
    OFF("vcpu_info", struct vcpu_info, evtchn_upcall_pending);
    OFF("vcpu_info", struct vcpu_info, evtchn_upcall_mask);
    OFF("vcpu_info", struct vcpu_info, evtchn_pending_sel);
    OFF("vcpu_info", struct vcpu_info, arch);
    MEMBER_SIZE("vcpu_info", struct vcpu_info, arch);
    OFF("vcpu_info", struct vcpu_info, arch.cr2);
    OFF("vcpu_info", struct vcpu_info, arch.pad);
    OFF("vcpu_info", struct vcpu_info, time);
    MEMBER_SIZE("vcpu_info", struct vcpu_info, time);
    OFF("vcpu_info", struct vcpu_info, time.version);
    OFF("vcpu_info", struct vcpu_info, time.pad0);
    OFF("vcpu_info", struct vcpu_info, time.tsc_timestamp);
    OFF("vcpu_info", struct vcpu_info, time.system_time);
    OFF("vcpu_info", struct vcpu_info, time.tsc_to_system_mul);
    OFF("vcpu_info", struct vcpu_info, time.tsc_shift);
    OFF("vcpu_info", struct vcpu_info, time.flags);
    OFF("vcpu_info", struct vcpu_info, time.pad1);
    CONST(XEN_PVCLOCK_TSC_STABLE_BIT);
    CONST(XEN_PVCLOCK_GUEST_STOPPED);

    SIZE("shared_info", struct shared_info);
    OFF("shared_info", struct shared_info, vcpu_info);
    OFF("shared_info", struct shared_info, evtchn_pending);
    MEMBER_SIZE("shared_info", struct shared_info, evtchn_pending);
    OFF("shared_info", struct shared_info, evtchn_mask);
    MEMBER_SIZE("shared_info", struct shared_info, evtchn_mask);
    OFF("shared_info", struct shared_info, wc_version);
    OFF("shared_info", struct shared_info, wc_sec);
    OFF("shared_info", struct shared_info, wc_nsec);
    OFF("shared_info", struct shared_info, wc_sec_hi);
    OFF("shared_info", struct shared_info, arch);
    MEMBER_SIZE("shared_info", struct shared_info, arch);
    OFF("shared_info", struct shared_info, arch.max_pfn);
    OFF("shared_info", struct shared_info, arch.pfn_to_mfn_frame_list_list);
    OFF("shared_info", struct shared_info, arch.nmi_reason);
    OFF("shared_info", struct shared_info, arch.p2m_cr3);
    OFF("shared_info", struct shared_info, arch.p2m_vaddr);
    OFF("shared_info", struct shared_info, arch.p2m_generation);
    CONST(XEN_LEGACY_MAX_VCPUS);
    CONST(EVTCHN_2L_NR_CHANNELS);
    printf("xen_ulong_t.bits %lu\n", (unsigned long)(sizeof(xen_ulong_t) * 8));
}
#endif

#ifndef __i386__
static void xenstore(void)
{
    SIZE("xsd_sockmsg", struct xsd_sockmsg);
    OFF("xsd_sockmsg", struct xsd_sockmsg, type);
    OFF("xsd_sockmsg", struct xsd_sockmsg, req_id);
    OFF("xsd_sockmsg", struct xsd_sockmsg, tx_id);
    OFF("xsd_sockmsg", struct xsd_sockmsg, len);
    SIZE("xenstore_domain_interface", struct xenstore_domain_interface);
    OFF("xenstore_domain_interface", struct xenstore_domain_interface, req);
    OFF("xenstore_domain_interface", struct xenstore_domain_interface, rsp);
    OFF("xenstore_domain_interface", struct xenstore_domain_interface, req_cons);
    OFF("xenstore_domain_interface", struct xenstore_domain_interface, req_prod);
    OFF("xenstore_domain_interface", struct xenstore_domain_interface, rsp_cons);
    OFF("xenstore_domain_interface", struct xenstore_domain_interface, rsp_prod);
    OFF("xenstore_domain_interface", struct xenstore_domain_interface, server_features);
    OFF("xenstore_domain_interface", struct xenstore_domain_interface, connection);
    OFF("xenstore_domain_interface", struct xenstore_domain_interface, error);
    CONST(XENSTORE_RING_SIZE);
    CONST(XENSTORE_PAYLOAD_MAX);
    CONST(XENSTORE_ABS_PATH_MAX);
    CONST(XENSTORE_REL_PATH_MAX);
    CONST(XENSTORE_SERVER_FEATURE_ERROR);
    CONST(XENSTORE_CONNECTED);
    CONST(XENSTORE_ERROR_NONE);
    CONST(XENSTORE_ERROR_RINGIDX);
    CONST(XENSTORE_ERROR_PROTO);
    CONST(XS_DIRECTORY);
    CONST(XS_READ);
    CONST(XS_GET_PERMS);
    CONST(XS_WATCH);
    CONST(XS_UNWATCH);
    CONST(XS_TRANSACTION_START);
    CONST(XS_TRANSACTION_END);
    CONST(XS_INTRODUCE);
    CONST(XS_RELEASE);
    CONST(XS_GET_DOMAIN_PATH);
    CONST(XS_WRITE);
    CONST(XS_MKDIR);
    CONST(XS_RM);
    CONST(XS_SET_PERMS);
    CONST(XS_WATCH_EVENT);
    CONST(XS_ERROR);
    CONST(XS_IS_DOMAIN_INTRODUCED);
    CONST(XS_RESUME);
    CONST(XS_SET_TARGET);
    CONST(XS_RESET_WATCHES);
    CONST(XS_DIRECTORY_PART);
    CONST(XS_TYPE_COUNT);
}
#endif

int main(void)
{
#ifdef __i386__
    printf("abi x86_32\n");
#else
    printf("abi x86_64\n");
#endif
    sring();
    blkif();
#ifndef __i386__
    netif();
    console();
    grant();
    evtchn();
    xenstore();
#endif
    return 0;
}
