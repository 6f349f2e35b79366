package io.pvio.ring;

import io.pvio.ring.blkif.BlkifAbi;
import io.pvio.ring.blkif.BlkifConstants;
import io.pvio.ring.blkif.BlkifDiscardRequestDescriptor;
import io.pvio.ring.blkif.BlkifIndirectRequestDescriptor;
import io.pvio.ring.blkif.BlkifRequestDescriptor;
import io.pvio.ring.blkif.BlkifResponseDescriptor;
import io.pvio.ring.blkif.BlkifRings;
import io.pvio.ring.blkif.BlkifSegmentDescriptor;
import io.pvio.ring.blkif.BlkifX86_32DiscardRequestDescriptor;
import io.pvio.ring.blkif.BlkifX86_32IndirectRequestDescriptor;
import io.pvio.ring.blkif.BlkifX86_32RequestDescriptor;
import io.pvio.ring.blkif.BlkifX86_32ResponseDescriptor;
import io.pvio.ring.console.XenconsInterfaceDescriptor;
import io.pvio.ring.xenstore.XenstoreDomainInterfaceDescriptor;
import io.pvio.ring.xenstore.XsWireDescriptor;
import io.pvio.ring.evtchn.SharedInfoDescriptor;
import io.pvio.ring.evtchn.VcpuInfoDescriptor;
import io.pvio.ring.grant.GrantEntryV1Descriptor;
import io.pvio.ring.netif.NetifConstants;
import io.pvio.ring.netif.NetifExtraInfoDescriptor;
import io.pvio.ring.netif.NetifRings;
import io.pvio.ring.netif.NetifRxRequestDescriptor;
import io.pvio.ring.netif.NetifRxResponseDescriptor;
import io.pvio.ring.netif.NetifTxRequestDescriptor;
import io.pvio.ring.netif.NetifTxResponseDescriptor;
import io.pvio.ring.testkit.NativeToolchain;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compares every pvio wire descriptor, field by field, with what gcc computes from Xen's own public headers
 * ({@code c/layout_dump.c}). The x86_32 blkif ABI is checked against a {@code gcc -m32} build of the same program,
 * which needs gcc-multilib ({@code apt-get install -y gcc-multilib}); without it that test is skipped, or fails
 * under {@code CI=true}.
 */
class LayoutConformanceTest
{
    private static final String SOURCE = "layout_dump.c";
    private static final Path OUTPUT_DIR = Paths.get("target", "native", "layout-conformance");
    private static final long RUN_TIMEOUT_S = 30;
    /** ring-page-order of a 65536-byte ring. */
    private static final int ORDER_16_PAGES = 4;

    @Test
    void x86_64LayoutsMatchXenHeaders()
    {
        final Map<String, String> dumped = run(NativeToolchain.compileResource(SOURCE, OUTPUT_DIR));

        final Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("abi", "x86_64");
        expectSring(expected);
        expectBlkifCommon(expected);
        expectBlkifX86_64(expected);
        expectNetifLayouts(expected);
        expectNetifConstants(expected);
        expectConsole(expected);
        expectGrant(expected);
        expectXenstore(expected);
        expectVcpuInfo(expected);
        expectSharedInfo(expected);

        assertConforms("x86_64", expected, dumped);
    }

    @Test
    void x86_32BlkifLayoutsMatchXenHeaders()
    {
        NativeToolchain.requireToolchain();
        requireGccM32();
        final Map<String, String> dumped = run(NativeToolchain.compileResource(SOURCE, OUTPUT_DIR, "-m32"));

        final Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("abi", "x86_32");
        expectSring(expected);
        expectBlkifCommon(expected);
        expectBlkifX86_32(expected);

        assertConforms("x86_32", expected, dumped);
    }

    private static void expectSring(final Map<String, Object> expected)
    {
        expected.put("sring.req_prod", SringDescriptor.REQ_PROD_OFFSET);
        expected.put("sring.req_event", SringDescriptor.REQ_EVENT_OFFSET);
        expected.put("sring.rsp_prod", SringDescriptor.RSP_PROD_OFFSET);
        expected.put("sring.rsp_event", SringDescriptor.RSP_EVENT_OFFSET);
        expected.put("sring.pvt", SringDescriptor.PVT_OFFSET);
        expected.put("sring.pvt.sizeof", SringDescriptor.PVT_LENGTH);
        expected.put("sring.__pad", SringDescriptor.PAD_OFFSET);
        expected.put("sring.__pad.sizeof", SringDescriptor.PAD_LENGTH);
        expected.put("sring.ring", SringDescriptor.HEADER_LENGTH);
        expected.put("sring.netif_tx.ring", SringDescriptor.HEADER_LENGTH);
        expected.put("sring.netif_rx.ring", SringDescriptor.HEADER_LENGTH);
    }

    /** blkif facts that are the same in both ABIs. */
    private static void expectBlkifCommon(final Map<String, Object> expected)
    {
        expected.put("blkif_request_segment.sizeof", BlkifSegmentDescriptor.LENGTH);
        expected.put("blkif_request_segment.gref", BlkifSegmentDescriptor.GREF_OFFSET);
        expected.put("blkif_request_segment.first_sect", BlkifSegmentDescriptor.FIRST_SECT_OFFSET);
        expected.put("blkif_request_segment.last_sect", BlkifSegmentDescriptor.LAST_SECT_OFFSET);
        expected.put("segments_per_indirect_page", BlkifConstants.SEGMENTS_PER_INDIRECT_PAGE);
        expected.put("BLKIF_OP_READ", BlkifConstants.BLKIF_OP_READ);
        expected.put("BLKIF_OP_WRITE", BlkifConstants.BLKIF_OP_WRITE);
        expected.put("BLKIF_OP_WRITE_BARRIER", BlkifConstants.BLKIF_OP_WRITE_BARRIER);
        expected.put("BLKIF_OP_FLUSH_DISKCACHE", BlkifConstants.BLKIF_OP_FLUSH_DISKCACHE);
        expected.put("BLKIF_OP_RESERVED_1", BlkifConstants.BLKIF_OP_RESERVED_1);
        expected.put("BLKIF_OP_DISCARD", BlkifConstants.BLKIF_OP_DISCARD);
        expected.put("BLKIF_OP_INDIRECT", BlkifConstants.BLKIF_OP_INDIRECT);
        expected.put("BLKIF_RSP_EOPNOTSUPP", BlkifConstants.BLKIF_RSP_EOPNOTSUPP);
        expected.put("BLKIF_RSP_ERROR", BlkifConstants.BLKIF_RSP_ERROR);
        expected.put("BLKIF_RSP_OKAY", BlkifConstants.BLKIF_RSP_OKAY);
        expected.put("BLKIF_MAX_SEGMENTS_PER_REQUEST", BlkifConstants.BLKIF_MAX_SEGMENTS_PER_REQUEST);
        expected.put("BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST", BlkifConstants.BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST);
        expected.put("BLKIF_DISCARD_SECURE", BlkifConstants.BLKIF_DISCARD_SECURE);
        expected.put("VDISK_CDROM", BlkifConstants.VDISK_CDROM);
        expected.put("VDISK_REMOVABLE", BlkifConstants.VDISK_REMOVABLE);
        expected.put("VDISK_READONLY", BlkifConstants.VDISK_READONLY);
        expected.put("XEN_IO_PROTO_ABI_X86_32", BlkifAbi.X86_32.protocol());
        expected.put("XEN_IO_PROTO_ABI_X86_64", BlkifAbi.X86_64.protocol());
    }

    private static void expectBlkifX86_64(final Map<String, Object> expected)
    {
        expected.put("blkif_request.sizeof", BlkifRequestDescriptor.LENGTH);
        expected.put("blkif_request.operation", BlkifRequestDescriptor.OPERATION_OFFSET);
        expected.put("blkif_request.nr_segments", BlkifRequestDescriptor.NR_SEGMENTS_OFFSET);
        expected.put("blkif_request.handle", BlkifRequestDescriptor.HANDLE_OFFSET);
        expected.put("blkif_request.id", BlkifRequestDescriptor.ID_OFFSET);
        expected.put("blkif_request.sector_number", BlkifRequestDescriptor.SECTOR_NUMBER_OFFSET);
        expected.put("blkif_request.seg", BlkifRequestDescriptor.SEGMENTS_OFFSET);
        expected.put("blkif_request_indirect.sizeof", BlkifIndirectRequestDescriptor.LENGTH);
        expected.put("blkif_request_indirect.operation", BlkifIndirectRequestDescriptor.OPERATION_OFFSET);
        expected.put("blkif_request_indirect.indirect_op", BlkifIndirectRequestDescriptor.INDIRECT_OP_OFFSET);
        expected.put("blkif_request_indirect.nr_segments", BlkifIndirectRequestDescriptor.NR_SEGMENTS_OFFSET);
        expected.put("blkif_request_indirect.id", BlkifIndirectRequestDescriptor.ID_OFFSET);
        expected.put("blkif_request_indirect.sector_number", BlkifIndirectRequestDescriptor.SECTOR_NUMBER_OFFSET);
        expected.put("blkif_request_indirect.handle", BlkifIndirectRequestDescriptor.HANDLE_OFFSET);
        expected.put("blkif_request_indirect.indirect_grefs", BlkifIndirectRequestDescriptor.INDIRECT_GREFS_OFFSET);
        expected.put("blkif_request_discard.sizeof", BlkifDiscardRequestDescriptor.LENGTH);
        expected.put("blkif_request_discard.operation", BlkifDiscardRequestDescriptor.OPERATION_OFFSET);
        expected.put("blkif_request_discard.flag", BlkifDiscardRequestDescriptor.FLAG_OFFSET);
        expected.put("blkif_request_discard.handle", BlkifDiscardRequestDescriptor.HANDLE_OFFSET);
        expected.put("blkif_request_discard.id", BlkifDiscardRequestDescriptor.ID_OFFSET);
        expected.put("blkif_request_discard.sector_number", BlkifDiscardRequestDescriptor.SECTOR_NUMBER_OFFSET);
        expected.put("blkif_request_discard.nr_sectors", BlkifDiscardRequestDescriptor.NR_SECTORS_OFFSET);
        expected.put("blkif_response.sizeof", BlkifResponseDescriptor.LENGTH);
        expected.put("blkif_response.id", BlkifResponseDescriptor.ID_OFFSET);
        expected.put("blkif_response.operation", BlkifResponseDescriptor.OPERATION_OFFSET);
        expected.put("blkif_response.status", BlkifResponseDescriptor.STATUS_OFFSET);
        expected.put("blkif_sring_entry.sizeof", BlkifRings.X86_64.entryBytes());
        expected.put("ring_size.blkif.4096", BlkifRings.X86_64.ringSize(0));
        expected.put("ring_size.blkif.65536", BlkifRings.X86_64.ringSize(ORDER_16_PAGES));
    }

    private static void expectBlkifX86_32(final Map<String, Object> expected)
    {
        expected.put("blkif_request.sizeof", BlkifX86_32RequestDescriptor.LENGTH);
        expected.put("blkif_request.operation", BlkifX86_32RequestDescriptor.OPERATION_OFFSET);
        expected.put("blkif_request.nr_segments", BlkifX86_32RequestDescriptor.NR_SEGMENTS_OFFSET);
        expected.put("blkif_request.handle", BlkifX86_32RequestDescriptor.HANDLE_OFFSET);
        expected.put("blkif_request.id", BlkifX86_32RequestDescriptor.ID_OFFSET);
        expected.put("blkif_request.sector_number", BlkifX86_32RequestDescriptor.SECTOR_NUMBER_OFFSET);
        expected.put("blkif_request.seg", BlkifX86_32RequestDescriptor.SEGMENTS_OFFSET);
        expected.put("blkif_request_indirect.sizeof", BlkifX86_32IndirectRequestDescriptor.LENGTH);
        expected.put("blkif_request_indirect.operation", BlkifX86_32IndirectRequestDescriptor.OPERATION_OFFSET);
        expected.put("blkif_request_indirect.indirect_op", BlkifX86_32IndirectRequestDescriptor.INDIRECT_OP_OFFSET);
        expected.put("blkif_request_indirect.nr_segments", BlkifX86_32IndirectRequestDescriptor.NR_SEGMENTS_OFFSET);
        expected.put("blkif_request_indirect.id", BlkifX86_32IndirectRequestDescriptor.ID_OFFSET);
        expected.put("blkif_request_indirect.sector_number",
            BlkifX86_32IndirectRequestDescriptor.SECTOR_NUMBER_OFFSET);
        expected.put("blkif_request_indirect.handle", BlkifX86_32IndirectRequestDescriptor.HANDLE_OFFSET);
        expected.put("blkif_request_indirect.indirect_grefs",
            BlkifX86_32IndirectRequestDescriptor.INDIRECT_GREFS_OFFSET);
        expected.put("blkif_request_indirect.pad", BlkifX86_32IndirectRequestDescriptor.PAD_OFFSET);
        expected.put("blkif_request_discard.sizeof", BlkifX86_32DiscardRequestDescriptor.LENGTH);
        expected.put("blkif_request_discard.operation", BlkifX86_32DiscardRequestDescriptor.OPERATION_OFFSET);
        expected.put("blkif_request_discard.flag", BlkifX86_32DiscardRequestDescriptor.FLAG_OFFSET);
        expected.put("blkif_request_discard.handle", BlkifX86_32DiscardRequestDescriptor.HANDLE_OFFSET);
        expected.put("blkif_request_discard.id", BlkifX86_32DiscardRequestDescriptor.ID_OFFSET);
        expected.put("blkif_request_discard.sector_number", BlkifX86_32DiscardRequestDescriptor.SECTOR_NUMBER_OFFSET);
        expected.put("blkif_request_discard.nr_sectors", BlkifX86_32DiscardRequestDescriptor.NR_SECTORS_OFFSET);
        expected.put("blkif_response.sizeof", BlkifX86_32ResponseDescriptor.LENGTH);
        expected.put("blkif_response.id", BlkifX86_32ResponseDescriptor.ID_OFFSET);
        expected.put("blkif_response.operation", BlkifX86_32ResponseDescriptor.OPERATION_OFFSET);
        expected.put("blkif_response.status", BlkifX86_32ResponseDescriptor.STATUS_OFFSET);
        expected.put("blkif_sring_entry.sizeof", BlkifRings.X86_32.entryBytes());
        expected.put("ring_size.blkif.4096", BlkifRings.X86_32.ringSize(0));
        expected.put("ring_size.blkif.65536", BlkifRings.X86_32.ringSize(ORDER_16_PAGES));
    }

    private static void expectNetifLayouts(final Map<String, Object> expected)
    {
        expected.put("netif_tx_request.sizeof", NetifTxRequestDescriptor.LENGTH);
        expected.put("netif_tx_request.gref", NetifTxRequestDescriptor.GREF_OFFSET);
        expected.put("netif_tx_request.offset", NetifTxRequestDescriptor.OFFSET_OFFSET);
        expected.put("netif_tx_request.flags", NetifTxRequestDescriptor.FLAGS_OFFSET);
        expected.put("netif_tx_request.id", NetifTxRequestDescriptor.ID_OFFSET);
        expected.put("netif_tx_request.size", NetifTxRequestDescriptor.SIZE_OFFSET);
        expected.put("netif_tx_response.sizeof", NetifTxResponseDescriptor.LENGTH);
        expected.put("netif_tx_response.id", NetifTxResponseDescriptor.ID_OFFSET);
        expected.put("netif_tx_response.status", NetifTxResponseDescriptor.STATUS_OFFSET);
        expected.put("netif_rx_request.sizeof", NetifRxRequestDescriptor.LENGTH);
        expected.put("netif_rx_request.id", NetifRxRequestDescriptor.ID_OFFSET);
        expected.put("netif_rx_request.pad", NetifRxRequestDescriptor.PAD_OFFSET);
        expected.put("netif_rx_request.gref", NetifRxRequestDescriptor.GREF_OFFSET);
        expected.put("netif_rx_response.sizeof", NetifRxResponseDescriptor.LENGTH);
        expected.put("netif_rx_response.id", NetifRxResponseDescriptor.ID_OFFSET);
        expected.put("netif_rx_response.offset", NetifRxResponseDescriptor.OFFSET_OFFSET);
        expected.put("netif_rx_response.flags", NetifRxResponseDescriptor.FLAGS_OFFSET);
        expected.put("netif_rx_response.status", NetifRxResponseDescriptor.STATUS_OFFSET);
        expected.put("netif_extra_info.sizeof", NetifExtraInfoDescriptor.LENGTH);
        expected.put("netif_extra_info.type", NetifExtraInfoDescriptor.TYPE_OFFSET);
        expected.put("netif_extra_info.flags", NetifExtraInfoDescriptor.FLAGS_OFFSET);
        expected.put("netif_extra_info.u", NetifExtraInfoDescriptor.UNION_OFFSET);
        expected.put("netif_extra_info.u.sizeof", NetifExtraInfoDescriptor.UNION_LENGTH);
        expected.put("netif_extra_info.u.gso.size", NetifExtraInfoDescriptor.GSO_SIZE_OFFSET);
        expected.put("netif_extra_info.u.gso.type", NetifExtraInfoDescriptor.GSO_TYPE_OFFSET);
        expected.put("netif_extra_info.u.gso.pad", NetifExtraInfoDescriptor.GSO_PAD_OFFSET);
        expected.put("netif_extra_info.u.gso.features", NetifExtraInfoDescriptor.GSO_FEATURES_OFFSET);
        expected.put("netif_extra_info.u.mcast.addr", NetifExtraInfoDescriptor.MCAST_ADDR_OFFSET);
        expected.put("netif_extra_info.u.mcast.addr.sizeof", NetifExtraInfoDescriptor.MCAST_ADDR_LENGTH);
        expected.put("netif_extra_info.u.hash.type", NetifExtraInfoDescriptor.HASH_TYPE_OFFSET);
        expected.put("netif_extra_info.u.hash.algorithm", NetifExtraInfoDescriptor.HASH_ALGORITHM_OFFSET);
        expected.put("netif_extra_info.u.hash.value", NetifExtraInfoDescriptor.HASH_VALUE_OFFSET);
        expected.put("netif_extra_info.u.hash.value.sizeof", NetifExtraInfoDescriptor.HASH_VALUE_LENGTH);
        expected.put("netif_tx_sring_entry.sizeof", NetifRings.TX.entryBytes());
        expected.put("netif_rx_sring_entry.sizeof", NetifRings.RX.entryBytes());
        expected.put("ring_size.netif_tx.4096", NetifRings.TX.ringSize(0));
        expected.put("ring_size.netif_tx.65536", NetifRings.TX.ringSize(ORDER_16_PAGES));
        expected.put("ring_size.netif_rx.4096", NetifRings.RX.ringSize(0));
        expected.put("ring_size.netif_rx.65536", NetifRings.RX.ringSize(ORDER_16_PAGES));
    }

    private static void expectNetifConstants(final Map<String, Object> expected)
    {
        expected.put("NETTXF_csum_blank", NetifConstants.NETTXF_CSUM_BLANK);
        expected.put("NETTXF_data_validated", NetifConstants.NETTXF_DATA_VALIDATED);
        expected.put("NETTXF_more_data", NetifConstants.NETTXF_MORE_DATA);
        expected.put("NETTXF_extra_info", NetifConstants.NETTXF_EXTRA_INFO);
        expected.put("NETRXF_data_validated", NetifConstants.NETRXF_DATA_VALIDATED);
        expected.put("NETRXF_csum_blank", NetifConstants.NETRXF_CSUM_BLANK);
        expected.put("NETRXF_more_data", NetifConstants.NETRXF_MORE_DATA);
        expected.put("NETRXF_extra_info", NetifConstants.NETRXF_EXTRA_INFO);
        expected.put("NETRXF_gso_prefix", NetifConstants.NETRXF_GSO_PREFIX);
        expected.put("XEN_NETIF_EXTRA_TYPE_NONE", NetifConstants.XEN_NETIF_EXTRA_TYPE_NONE);
        expected.put("XEN_NETIF_EXTRA_TYPE_GSO", NetifConstants.XEN_NETIF_EXTRA_TYPE_GSO);
        expected.put("XEN_NETIF_EXTRA_TYPE_MCAST_ADD", NetifConstants.XEN_NETIF_EXTRA_TYPE_MCAST_ADD);
        expected.put("XEN_NETIF_EXTRA_TYPE_MCAST_DEL", NetifConstants.XEN_NETIF_EXTRA_TYPE_MCAST_DEL);
        expected.put("XEN_NETIF_EXTRA_TYPE_HASH", NetifConstants.XEN_NETIF_EXTRA_TYPE_HASH);
        expected.put("XEN_NETIF_EXTRA_TYPE_MAX", NetifConstants.XEN_NETIF_EXTRA_TYPE_MAX);
        expected.put("XEN_NETIF_EXTRA_FLAG_MORE", NetifConstants.XEN_NETIF_EXTRA_FLAG_MORE);
        expected.put("XEN_NETIF_GSO_TYPE_NONE", NetifConstants.XEN_NETIF_GSO_TYPE_NONE);
        expected.put("XEN_NETIF_GSO_TYPE_TCPV4", NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4);
        expected.put("XEN_NETIF_GSO_TYPE_TCPV6", NetifConstants.XEN_NETIF_GSO_TYPE_TCPV6);
        expected.put("_XEN_NETIF_CTRL_HASH_TYPE_IPV4", NetifConstants.XEN_NETIF_CTRL_HASH_TYPE_IPV4_BIT);
        expected.put("_XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP", NetifConstants.XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP_BIT);
        expected.put("_XEN_NETIF_CTRL_HASH_TYPE_IPV6", NetifConstants.XEN_NETIF_CTRL_HASH_TYPE_IPV6_BIT);
        expected.put("_XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP", NetifConstants.XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP_BIT);
        expected.put("XEN_NETIF_CTRL_HASH_ALGORITHM_NONE", NetifConstants.XEN_NETIF_CTRL_HASH_ALGORITHM_NONE);
        expected.put("XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ", NetifConstants.XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ);
        expected.put("NETIF_RSP_DROPPED", NetifConstants.NETIF_RSP_DROPPED);
        expected.put("NETIF_RSP_ERROR", NetifConstants.NETIF_RSP_ERROR);
        expected.put("NETIF_RSP_OKAY", NetifConstants.NETIF_RSP_OKAY);
        expected.put("NETIF_RSP_NULL", NetifConstants.NETIF_RSP_NULL);
        expected.put("XEN_NETIF_NR_SLOTS_MIN", NetifConstants.XEN_NETIF_NR_SLOTS_MIN);
        expected.put("XEN_NETIF_MAX_TX_SIZE", NetifConstants.XEN_NETIF_MAX_TX_SIZE);
    }

    private static void expectXenstore(final Map<String, Object> expected)
    {
        expected.put("xsd_sockmsg.sizeof", XsWireDescriptor.HEADER_LENGTH);
        expected.put("xsd_sockmsg.type", XsWireDescriptor.TYPE_OFFSET);
        expected.put("xsd_sockmsg.req_id", XsWireDescriptor.REQ_ID_OFFSET);
        expected.put("xsd_sockmsg.tx_id", XsWireDescriptor.TX_ID_OFFSET);
        expected.put("xsd_sockmsg.len", XsWireDescriptor.LEN_OFFSET);
        expected.put("xenstore_domain_interface.sizeof", XenstoreDomainInterfaceDescriptor.LENGTH);
        expected.put("xenstore_domain_interface.req", XenstoreDomainInterfaceDescriptor.REQ_OFFSET);
        expected.put("xenstore_domain_interface.rsp", XenstoreDomainInterfaceDescriptor.RSP_OFFSET);
        expected.put("xenstore_domain_interface.req_cons", XenstoreDomainInterfaceDescriptor.REQ_CONS_OFFSET);
        expected.put("xenstore_domain_interface.req_prod", XenstoreDomainInterfaceDescriptor.REQ_PROD_OFFSET);
        expected.put("xenstore_domain_interface.rsp_cons", XenstoreDomainInterfaceDescriptor.RSP_CONS_OFFSET);
        expected.put("xenstore_domain_interface.rsp_prod", XenstoreDomainInterfaceDescriptor.RSP_PROD_OFFSET);
        expected.put("xenstore_domain_interface.server_features", XenstoreDomainInterfaceDescriptor.SERVER_FEATURES_OFFSET);
        expected.put("xenstore_domain_interface.connection", XenstoreDomainInterfaceDescriptor.CONNECTION_OFFSET);
        expected.put("xenstore_domain_interface.error", XenstoreDomainInterfaceDescriptor.ERROR_OFFSET);
        expected.put("XENSTORE_RING_SIZE", XenstoreDomainInterfaceDescriptor.RING_SIZE);
        expected.put("XENSTORE_PAYLOAD_MAX", XsWireDescriptor.PAYLOAD_MAX);
        expected.put("XENSTORE_ABS_PATH_MAX", XsWireDescriptor.ABS_PATH_MAX);
        expected.put("XENSTORE_REL_PATH_MAX", XsWireDescriptor.REL_PATH_MAX);
        expected.put("XENSTORE_SERVER_FEATURE_ERROR", XenstoreDomainInterfaceDescriptor.SERVER_FEATURE_ERROR);
        expected.put("XENSTORE_CONNECTED", XenstoreDomainInterfaceDescriptor.CONNECTED);
        expected.put("XENSTORE_ERROR_NONE", XenstoreDomainInterfaceDescriptor.ERROR_NONE);
        expected.put("XENSTORE_ERROR_RINGIDX", XenstoreDomainInterfaceDescriptor.ERROR_RINGIDX);
        expected.put("XENSTORE_ERROR_PROTO", XenstoreDomainInterfaceDescriptor.ERROR_PROTO);
        expected.put("XS_DIRECTORY", XsWireDescriptor.XS_DIRECTORY);
        expected.put("XS_READ", XsWireDescriptor.XS_READ);
        expected.put("XS_GET_PERMS", XsWireDescriptor.XS_GET_PERMS);
        expected.put("XS_WATCH", XsWireDescriptor.XS_WATCH);
        expected.put("XS_UNWATCH", XsWireDescriptor.XS_UNWATCH);
        expected.put("XS_TRANSACTION_START", XsWireDescriptor.XS_TRANSACTION_START);
        expected.put("XS_TRANSACTION_END", XsWireDescriptor.XS_TRANSACTION_END);
        expected.put("XS_INTRODUCE", XsWireDescriptor.XS_INTRODUCE);
        expected.put("XS_RELEASE", XsWireDescriptor.XS_RELEASE);
        expected.put("XS_GET_DOMAIN_PATH", XsWireDescriptor.XS_GET_DOMAIN_PATH);
        expected.put("XS_WRITE", XsWireDescriptor.XS_WRITE);
        expected.put("XS_MKDIR", XsWireDescriptor.XS_MKDIR);
        expected.put("XS_RM", XsWireDescriptor.XS_RM);
        expected.put("XS_SET_PERMS", XsWireDescriptor.XS_SET_PERMS);
        expected.put("XS_WATCH_EVENT", XsWireDescriptor.XS_WATCH_EVENT);
        expected.put("XS_ERROR", XsWireDescriptor.XS_ERROR);
        expected.put("XS_IS_DOMAIN_INTRODUCED", XsWireDescriptor.XS_IS_DOMAIN_INTRODUCED);
        expected.put("XS_RESUME", XsWireDescriptor.XS_RESUME);
        expected.put("XS_SET_TARGET", XsWireDescriptor.XS_SET_TARGET);
        expected.put("XS_RESET_WATCHES", XsWireDescriptor.XS_RESET_WATCHES);
        expected.put("XS_DIRECTORY_PART", XsWireDescriptor.XS_DIRECTORY_PART);
        expected.put("XS_TYPE_COUNT", XsWireDescriptor.XS_TYPE_COUNT);
    }

    private static void expectConsole(final Map<String, Object> expected)
    {
        expected.put("xencons_interface.sizeof", XenconsInterfaceDescriptor.LENGTH);
        expected.put("xencons_interface.in", XenconsInterfaceDescriptor.IN_OFFSET);
        expected.put("xencons_interface.in.sizeof", XenconsInterfaceDescriptor.IN_LENGTH);
        expected.put("xencons_interface.out", XenconsInterfaceDescriptor.OUT_OFFSET);
        expected.put("xencons_interface.out.sizeof", XenconsInterfaceDescriptor.OUT_LENGTH);
        expected.put("xencons_interface.in_cons", XenconsInterfaceDescriptor.IN_CONS_OFFSET);
        expected.put("xencons_interface.in_prod", XenconsInterfaceDescriptor.IN_PROD_OFFSET);
        expected.put("xencons_interface.out_cons", XenconsInterfaceDescriptor.OUT_CONS_OFFSET);
        expected.put("xencons_interface.out_prod", XenconsInterfaceDescriptor.OUT_PROD_OFFSET);
    }

    private static void expectGrant(final Map<String, Object> expected)
    {
        expected.put("grant_entry_v1.sizeof", GrantEntryV1Descriptor.ENTRY_LENGTH);
        expected.put("grant_entry_v1.flags", GrantEntryV1Descriptor.FLAGS_OFFSET);
        expected.put("grant_entry_v1.domid", GrantEntryV1Descriptor.DOMID_OFFSET);
        expected.put("grant_entry_v1.frame", GrantEntryV1Descriptor.FRAME_OFFSET);
        expected.put("grant_entries_per_frame", GrantEntryV1Descriptor.ENTRIES_PER_FRAME);
        expected.put("GNTTAB_NR_RESERVED_ENTRIES", GrantEntryV1Descriptor.GNTTAB_NR_RESERVED_ENTRIES);
        expected.put("GNTTAB_RESERVED_CONSOLE", GrantEntryV1Descriptor.GNTTAB_RESERVED_CONSOLE);
        expected.put("GNTTAB_RESERVED_XENSTORE", GrantEntryV1Descriptor.GNTTAB_RESERVED_XENSTORE);
        expected.put("GTF_invalid", GrantEntryV1Descriptor.GTF_INVALID);
        expected.put("GTF_permit_access", GrantEntryV1Descriptor.GTF_PERMIT_ACCESS);
        expected.put("GTF_accept_transfer", GrantEntryV1Descriptor.GTF_ACCEPT_TRANSFER);
        expected.put("GTF_transitive", GrantEntryV1Descriptor.GTF_TRANSITIVE);
        expected.put("GTF_type_mask", GrantEntryV1Descriptor.GTF_TYPE_MASK);
        expected.put("GTF_readonly", GrantEntryV1Descriptor.GTF_READONLY);
        expected.put("GTF_reading", GrantEntryV1Descriptor.GTF_READING);
        expected.put("GTF_writing", GrantEntryV1Descriptor.GTF_WRITING);
        expected.put("GTF_PWT", GrantEntryV1Descriptor.GTF_PWT);
        expected.put("GTF_PCD", GrantEntryV1Descriptor.GTF_PCD);
        expected.put("GTF_PAT", GrantEntryV1Descriptor.GTF_PAT);
        expected.put("GTF_sub_page", GrantEntryV1Descriptor.GTF_SUB_PAGE);
        expected.put("GTF_transfer_committed", GrantEntryV1Descriptor.GTF_TRANSFER_COMMITTED);
        expected.put("GTF_transfer_completed", GrantEntryV1Descriptor.GTF_TRANSFER_COMPLETED);
    }

    private static void expectVcpuInfo(final Map<String, Object> expected)
    {
        expected.put("vcpu_info.sizeof", VcpuInfoDescriptor.LENGTH);
        expected.put("vcpu_info.evtchn_upcall_pending", VcpuInfoDescriptor.EVTCHN_UPCALL_PENDING_OFFSET);
        expected.put("vcpu_info.evtchn_upcall_mask", VcpuInfoDescriptor.EVTCHN_UPCALL_MASK_OFFSET);
        expected.put("vcpu_info.evtchn_pending_sel", VcpuInfoDescriptor.EVTCHN_PENDING_SEL_OFFSET);
        expected.put("vcpu_info.arch", VcpuInfoDescriptor.ARCH_OFFSET);
        expected.put("vcpu_info.arch.sizeof", VcpuInfoDescriptor.ARCH_LENGTH);
        expected.put("vcpu_info.arch.cr2", VcpuInfoDescriptor.ARCH_CR2_OFFSET);
        expected.put("vcpu_info.arch.pad", VcpuInfoDescriptor.ARCH_PAD_OFFSET);
        expected.put("vcpu_info.time", VcpuInfoDescriptor.TIME_OFFSET);
        expected.put("vcpu_info.time.sizeof", VcpuInfoDescriptor.TIME_LENGTH);
        expected.put("vcpu_info.time.version", VcpuInfoDescriptor.TIME_VERSION_OFFSET);
        expected.put("vcpu_info.time.pad0", VcpuInfoDescriptor.TIME_PAD0_OFFSET);
        expected.put("vcpu_info.time.tsc_timestamp", VcpuInfoDescriptor.TIME_TSC_TIMESTAMP_OFFSET);
        expected.put("vcpu_info.time.system_time", VcpuInfoDescriptor.TIME_SYSTEM_TIME_OFFSET);
        expected.put("vcpu_info.time.tsc_to_system_mul", VcpuInfoDescriptor.TIME_TSC_TO_SYSTEM_MUL_OFFSET);
        expected.put("vcpu_info.time.tsc_shift", VcpuInfoDescriptor.TIME_TSC_SHIFT_OFFSET);
        expected.put("vcpu_info.time.flags", VcpuInfoDescriptor.TIME_FLAGS_OFFSET);
        expected.put("vcpu_info.time.pad1", VcpuInfoDescriptor.TIME_PAD1_OFFSET);
        expected.put("XEN_PVCLOCK_TSC_STABLE_BIT", VcpuInfoDescriptor.XEN_PVCLOCK_TSC_STABLE_BIT);
        expected.put("XEN_PVCLOCK_GUEST_STOPPED", VcpuInfoDescriptor.XEN_PVCLOCK_GUEST_STOPPED);
    }

    private static void expectSharedInfo(final Map<String, Object> expected)
    {
        final int bitmapBytes = SharedInfoDescriptor.EVTCHN_WORD_COUNT * SharedInfoDescriptor.WORD_BYTES;
        expected.put("shared_info.sizeof", SharedInfoDescriptor.LENGTH);
        expected.put("shared_info.vcpu_info", SharedInfoDescriptor.VCPU_INFO_OFFSET);
        expected.put("shared_info.evtchn_pending", SharedInfoDescriptor.EVTCHN_PENDING_OFFSET);
        expected.put("shared_info.evtchn_pending.sizeof", bitmapBytes);
        expected.put("shared_info.evtchn_mask", SharedInfoDescriptor.EVTCHN_MASK_OFFSET);
        expected.put("shared_info.evtchn_mask.sizeof", bitmapBytes);
        expected.put("shared_info.wc_version", SharedInfoDescriptor.WC_VERSION_OFFSET);
        expected.put("shared_info.wc_sec", SharedInfoDescriptor.WC_SEC_OFFSET);
        expected.put("shared_info.wc_nsec", SharedInfoDescriptor.WC_NSEC_OFFSET);
        expected.put("shared_info.wc_sec_hi", SharedInfoDescriptor.WC_SEC_HI_OFFSET);
        expected.put("shared_info.arch", SharedInfoDescriptor.ARCH_OFFSET);
        expected.put("shared_info.arch.sizeof", SharedInfoDescriptor.ARCH_LENGTH);
        expected.put("shared_info.arch.max_pfn", SharedInfoDescriptor.ARCH_MAX_PFN_OFFSET);
        expected.put("shared_info.arch.pfn_to_mfn_frame_list_list",
            SharedInfoDescriptor.ARCH_PFN_TO_MFN_FRAME_LIST_LIST_OFFSET);
        expected.put("shared_info.arch.nmi_reason", SharedInfoDescriptor.ARCH_NMI_REASON_OFFSET);
        expected.put("shared_info.arch.p2m_cr3", SharedInfoDescriptor.ARCH_P2M_CR3_OFFSET);
        expected.put("shared_info.arch.p2m_vaddr", SharedInfoDescriptor.ARCH_P2M_VADDR_OFFSET);
        expected.put("shared_info.arch.p2m_generation", SharedInfoDescriptor.ARCH_P2M_GENERATION_OFFSET);
        expected.put("XEN_LEGACY_MAX_VCPUS", SharedInfoDescriptor.MAX_VIRT_CPUS);
        expected.put("EVTCHN_2L_NR_CHANNELS", SharedInfoDescriptor.NR_EVENT_CHANNELS);
        expected.put("xen_ulong_t.bits", SharedInfoDescriptor.BITS_PER_WORD);
    }

    /**
     * Fails listing every difference: names pvio expects that the dump lacks, values that differ, and names the dump
     * has that pvio does not check (so the C and Java sides cannot drift apart silently).
     */
    private static void assertConforms(
        final String abi, final Map<String, Object> expected, final Map<String, String> dumped)
    {
        final List<String> problems = new ArrayList<>();
        for (final Map.Entry<String, Object> entry : expected.entrySet())
        {
            final String name = entry.getKey();
            final String pvio = String.valueOf(entry.getValue());
            final String xen = dumped.get(name);
            if (xen == null)
            {
                problems.add("missing from the C dump: " + name + " (pvio: " + pvio + ")");
            }
            else if (!xen.equals(pvio))
            {
                problems.add(name + ": Xen headers say " + xen + ", pvio says " + pvio);
            }
        }
        for (final String name : new TreeSet<>(dumped.keySet()))
        {
            if (!expected.containsKey(name))
            {
                problems.add("dumped but not checked by pvio: " + name + " = " + dumped.get(name));
            }
        }
        if (!problems.isEmpty())
        {
            fail(problems.size() + " layout mismatch(es) against Xen's headers (" + abi + "):\n  " +
                String.join("\n  ", problems));
        }
    }

    private static Map<String, String> run(final Path executable)
    {
        try
        {
            final Process process = new ProcessBuilder(executable.toString()).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(RUN_TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                fail(executable + " did not exit within " + RUN_TIMEOUT_S + " s");
            }
            assertEquals(0, process.exitValue(), () -> executable + " failed:\n" + output);
            return parse(output);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot run " + executable, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + executable, ex);
        }
    }

    private static Map<String, String> parse(final String output)
    {
        final Map<String, String> values = new LinkedHashMap<>();
        for (final String line : output.split("\n"))
        {
            if (line.isBlank())
            {
                continue;
            }
            final String[] nameValue = line.trim().split(" ", 2);
            Assertions.assertEquals(2, nameValue.length, () -> "malformed dump line: '" + line + "'");
            final String previous = values.put(nameValue[0], nameValue[1]);
            Assertions.assertNull(previous, () -> "name dumped twice: " + nameValue[0]);
        }
        return values;
    }

    /** Skips (or under {@code CI=true} fails) unless {@code gcc -m32} can build and link a program. */
    private static void requireGccM32()
    {
        try
        {
            Files.createDirectories(OUTPUT_DIR);
            final Path source = OUTPUT_DIR.resolve("m32_probe.c");
            Files.writeString(source, "int main(void) { return 0; }\n");
            final Process gcc = new ProcessBuilder("gcc", "-m32", "-o", OUTPUT_DIR.resolve("m32_probe").toString(),
                source.toString()).redirectErrorStream(true).start();
            final String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            final boolean exited = gcc.waitFor(RUN_TIMEOUT_S, TimeUnit.SECONDS);
            if (!exited)
            {
                gcc.destroyForcibly();
            }
            final boolean works = exited && gcc.exitValue() == 0;
            if (!works)
            {
                final String message = "gcc -m32 cannot build programs (install with: apt-get install -y " +
                    "gcc-multilib): " + output.trim();
                if ("true".equalsIgnoreCase(System.getenv("CI")))
                {
                    fail("CI=true and the x86_32 layout check cannot run: " + message);
                }
                Assumptions.abort("x86_32 layout check skipped: " + message);
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot probe gcc -m32", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted probing gcc -m32", ex);
        }
    }
}
