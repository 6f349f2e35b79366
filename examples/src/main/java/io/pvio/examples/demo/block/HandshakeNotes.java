package io.pvio.examples.demo.block;

import io.pvio.backend.block.BlkbackFeatures;
import io.pvio.backend.block.BlkbackGeometry;
import io.pvio.frontend.block.BlkfrontXenbus;
import io.pvio.hypervisor.xenbus.XenbusDevice;
import io.pvio.hypervisor.xenbus.XenbusFrontRing;
import io.pvio.hypervisor.xenbus.XenbusState;
import io.pvio.hypervisor.xenstore.XenStoreAccess;
import io.pvio.ring.blkif.BlkifConstants;

/**
 * What each handshake state means for a vbd, in plain words, with the keys that end published alongside it, read
 * back from XenStore (blkif.h's names): blkback's offer with InitWait, blkfront's rings and event channels with
 * Initialised, the disk's geometry with Connected.
 */
final class HandshakeNotes
{
    private static final String KEY_FORMAT = "%n  %-34s %s";

    private final XenStoreAccess xs;
    private final XenbusDevice device;

    HandshakeNotes(final XenStoreAccess xs, final XenbusDevice device)
    {
        this.xs = xs;
        this.device = device;
    }

    /** Continuation lines (each starting with a line break) for {@code end} having reached {@code state}. */
    String explain(final HandshakeWatcher.End end, final XenbusState state)
    {
        if (end == HandshakeWatcher.End.BACK)
        {
            return switch (state)
            {
                case INITIALISING -> ": the toolstack created the back end's directory";
                case INIT_WAIT -> ": blkback is ready and publishes what it offers" + backEndOffer();
                case CONNECTED -> ": blkback mapped each ring page (GNTTABOP_map_grant_ref), bound each event " +
                    "channel (EVTCHNOP_bind_interdomain), started one agent thread per ring and published the disk" +
                    geometry();
                case CLOSING ->
                    ": the toolstack set online = 0; blkback stopped its ring agents and unmapped the rings";
                case CLOSED -> ": blkback is done with the device";
                default -> "";
            };
        }
        return switch (state)
        {
            case INITIALISING -> ": the toolstack created the front end's directory";
            case INITIALISED -> ": blkfront read the offer, granted dom0 a ring page and allocated an event " +
                "channel per ring, and answers" + frontEndAnswer();
            case CONNECTED -> ": blkfront read the disk's size and started using the rings: the disk is ready";
            case CLOSING -> ": blkfront saw blkback closing and stops using the rings";
            case CLOSED -> ": blkfront let go of the rings: it ends their grants and closes their event channels " +
                "once dom0 has unmapped them";
            default -> "";
        };
    }

    private String backEndOffer()
    {
        final String dir = device.backendPath();
        final StringBuilder text = new StringBuilder();
        flag(text, dir, BlkbackFeatures.FEATURE_FLUSH_CACHE, "it can flush the disk's write cache");
        flag(text, dir, BlkbackFeatures.FEATURE_BARRIER, "it can order writes with barriers");
        flag(text, dir, BlkbackFeatures.FEATURE_DISCARD, "it can discard (trim) sectors");
        flag(text, dir, BlkbackFeatures.FEATURE_PERSISTENT, "it can keep granted pages mapped for reuse");
        key(text, dir, BlkbackFeatures.FEATURE_MAX_INDIRECT_SEGMENTS,
            value -> "up to " + value + " pages per request, listed in indirect pages");
        key(text, dir, BlkbackFeatures.MULTI_QUEUE_MAX_QUEUES,
            value -> "up to " + value + " rings, each with its own event channel");
        key(text, dir, BlkbackFeatures.MAX_RING_PAGE_ORDER,
            value -> "a ring may span up to " + (1 << Integer.parseInt(value)) + " pages");
        return text.toString();
    }

    private String frontEndAnswer()
    {
        final String dir = device.frontendPath();
        final StringBuilder text = new StringBuilder();
        final String queues = read(dir, BlkfrontXenbus.MULTI_QUEUE_NUM_QUEUES);
        if (queues != null)
        {
            text.append(String.format(KEY_FORMAT, BlkfrontXenbus.MULTI_QUEUE_NUM_QUEUES + " " + queues,
                "it uses " + queues + " rings"));
        }
        final int count = queues == null ? 1 : Integer.parseInt(queues);
        for (int q = 0; q < count; q++)
        {
            final String prefix = count == 1 ? "" : BlkfrontXenbus.QUEUE_DIR_PREFIX + q + "/";
            final String ring = count == 1 ? "the ring's" : "ring " + q + "'s";
            key(text, dir, prefix + XenbusFrontRing.RING_REF,
                value -> "grant reference of " + ring + " page, for dom0 to map");
            key(text, dir, prefix + XenbusFrontRing.EVENT_CHANNEL,
                value -> "the guest's event channel port, for dom0 to bind");
        }
        key(text, dir, BlkfrontXenbus.PROTOCOL, value -> "the requests' layout (64-bit ABI)");
        flag(text, dir, BlkbackFeatures.FEATURE_PERSISTENT, "it will reuse granted pages too");
        return text.toString();
    }

    private String geometry()
    {
        final String dir = device.backendPath();
        final StringBuilder text = new StringBuilder();
        key(text, dir, BlkbackGeometry.SECTORS, value -> RequestStory.bytes(Long.parseLong(value) *
            BlkifConstants.SECTOR_SIZE_BYTES) + " in 512-byte sectors");
        key(text, dir, BlkbackGeometry.SECTOR_SIZE, value -> "bytes per sector");
        key(text, dir, BlkbackGeometry.INFO, value ->
            (Integer.parseInt(value) & BlkifConstants.VDISK_READONLY) != 0 ? "read-only" : "writable");
        return text.toString();
    }

    private void flag(final StringBuilder text, final String dir, final String key, final String meaning)
    {
        final String value = read(dir, key);
        if (value != null)
        {
            text.append(String.format(KEY_FORMAT, key + " " + value, "1".equals(value) ? meaning : "(not offered)"));
        }
    }

    private void key(
        final StringBuilder text, final String dir, final String key,
        final java.util.function.Function<String, String> meaning)
    {
        final String value = read(dir, key);
        if (value != null)
        {
            text.append(String.format(KEY_FORMAT, key + " " + value, meaning.apply(value)));
        }
    }

    private String read(final String dir, final String key)
    {
        return xs.readOrNull(0, dir + "/" + key);
    }
}
