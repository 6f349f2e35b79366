package io.pvio.hypervisor.xenbus;

import io.pvio.hypervisor.xenstore.XenStoreClient;
import io.pvio.hypervisor.xenstore.XsPermissions;

/**
 * The toolstack's side of device hotplug, over a privileged XenStore connection: creates a domain's home, writes
 * the standard front and back directories on attach, asks the back end to close on detach ({@code online = 0}),
 * and removes both directories once closed.
 */
public final class XenbusToolstack
{
    private final XenStoreClient xs;
    private final XenbusClient xenbus;

    public XenbusToolstack(final XenStoreClient privilegedXs)
    {
        if (privilegedXs.domid() != 0)
        {
            throw new IllegalArgumentException("the toolstack runs in dom0");
        }
        this.xs = privilegedXs;
        this.xenbus = new XenbusClient(privilegedXs);
    }

    /** {@code /local/domain/<domid>}, owned by the domain, private to it. */
    public void createHome(final int domid)
    {
        final String home = xs.store().domainPath(domid);
        xs.transaction(tx ->
        {
            xs.mkdir(tx, home);
            xs.setPerms(tx, home, XsPermissions.of(domid, 'n'));
            return null;
        });
    }

    /**
     * Attach: both directories in one transaction, each owned by its end and readable by the other; states
     * Initialising, back end {@code online = 1}.
     */
    public void attach(final XenbusDevice device)
    {
        xs.transaction(tx ->
        {
            final String back = device.backendPath();
            final String front = device.frontendPath();
            xs.mkdir(tx, back);
            xs.setPerms(tx, back, new XsPermissions(new char[] {'n', 'r'},
                new int[] {device.backendDomid(), device.frontendDomid()}));
            xs.mkdir(tx, front);
            xs.setPerms(tx, front, new XsPermissions(new char[] {'n', 'r'},
                new int[] {device.frontendDomid(), device.backendDomid()}));
            xs.write(tx, back + "/frontend", front);
            xs.write(tx, back + "/frontend-id", Integer.toString(device.frontendDomid()));
            xs.write(tx, back + "/online", "1");
            xs.write(tx, back + "/state", XenbusState.INITIALISING.text());
            xs.write(tx, front + "/backend", back);
            xs.write(tx, front + "/backend-id", Integer.toString(device.backendDomid()));
            xs.write(tx, front + "/state", XenbusState.INITIALISING.text());
            return null;
        });
    }

    /** Detach, first half: the back end closes, then the front end; see {@link #isClosed}, then {@link #remove}. */
    public void detach(final XenbusDevice device)
    {
        xs.write(device.backendPath() + "/online", "0");
    }

    /** Whether both ends are Closed (or gone). */
    public boolean isClosed(final XenbusDevice device)
    {
        return isClosedOrGone(device.backendPath()) && isClosedOrGone(device.frontendPath());
    }

    private boolean isClosedOrGone(final String dir)
    {
        final XenbusState state = xenbus.readState(dir);
        return state == XenbusState.CLOSED || state == XenbusState.UNKNOWN;
    }

    /** Detach, second half: removes both directories; each bus then removes the device from its driver. */
    public void remove(final XenbusDevice device)
    {
        xs.transaction(tx ->
        {
            xs.rm(tx, device.frontendPath());
            xs.rm(tx, device.backendPath());
            return null;
        });
    }
}
