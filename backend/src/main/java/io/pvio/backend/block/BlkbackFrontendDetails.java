package io.pvio.backend.block;

import io.pvio.hypervisor.xenbus.XenbusProtocolException;
import io.pvio.hypervisor.xenbus.XenbusTransaction;
import io.pvio.ring.blkif.BlkifAbi;

/**
 * What a blkfront published with Initialised, apart from its ring (which {@code XenbusBackRing.claim} reads and
 * validates), and the toolstack's {@code mode} from our own directory. Everything from the front end is untrusted:
 * each key is range-checked here and a bad one throws {@link XenbusProtocolException}, which closes the device with
 * an {@code error} node.
 *
 * @param abi        from {@code protocol}; absent means the native {@link BlkifAbi#X86_64} (blkif.h).
 * @param queueCount {@code multi-queue-num-queues}; absent means 1; must not exceed what we advertised.
 * @param persistent {@code feature-persistent} of both ends: grants are then kept mapped.
 * @param readOnly   {@code mode} in the back end's directory is {@code r}.
 */
public record BlkbackFrontendDetails(BlkifAbi abi, int queueCount, boolean persistent, boolean readOnly)
{
    public static final String PROTOCOL = "protocol";
    public static final String MULTI_QUEUE_NUM_QUEUES = "multi-queue-num-queues";
    public static final String FEATURE_PERSISTENT = "feature-persistent";
    /** The toolstack's access mode in the back end's directory: {@code r} or {@code w} (blkif.h "mode"). */
    public static final String MODE = "mode";

    /**
     * @param frontend   the front end's directory.
     * @param backendDir the back end's own directory (for {@code mode}).
     */
    public static BlkbackFrontendDetails parse(
        final XenbusTransaction frontend, final String backendDir, final BlkbackFeatures advertised)
    {
        final String protocol = frontend.read(PROTOCOL);
        final BlkifAbi abi = protocol == null ? BlkifAbi.X86_64 : BlkifAbi.fromProtocol(protocol);
        if (abi == null)
        {
            throw new XenbusProtocolException(frontend.path(PROTOCOL) + ": unsupported ABI " + protocol);
        }
        // blkif.h: 1 <= multi-queue-num-queues <= multi-queue-max-queues (a 0 here once reached a 0-size array)
        final int queueCount = frontend.readInt(MULTI_QUEUE_NUM_QUEUES, 1, advertised.maxQueues(), 1);
        // blkif.h: persistent grants only if both ends offer them
        final boolean persistent = frontend.readFlag(FEATURE_PERSISTENT, false) && advertised.persistent();
        final String mode = frontend.at(backendDir).read(MODE);
        final boolean readOnly;
        if (mode == null || mode.equals("w"))
        {
            readOnly = false;
        }
        else if (mode.equals("r"))
        {
            readOnly = true;
        }
        else
        {
            throw new XenbusProtocolException(backendDir + "/" + MODE + ": neither r nor w: " + mode);
        }
        return new BlkbackFrontendDetails(abi, queueCount, persistent, readOnly);
    }
}
