package io.pvio.hypervisor.xenbus;

/**
 * One split device as the toolstack created it: the front end's directory
 * {@code /local/domain/<frontendDomid>/device/<type>/<id>} and the back end's
 * {@code /local/domain/<backendDomid>/backend/<type>/<frontendDomid>/<id>}.
 *
 * @param type          the device type, e.g. {@code vbd}, {@code vif}, {@code console}.
 * @param id            the device id within its type.
 * @param frontendDomid the guest.
 * @param backendDomid  the domain serving it.
 */
public record XenbusDevice(String type, String id, int frontendDomid, int backendDomid)
{
    public XenbusDevice
    {
        checkComponent(type);
        checkComponent(id);
    }

    private static void checkComponent(final String component)
    {
        if (component.isEmpty() || component.length() > 64 || !component.chars().allMatch(
            c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
        {
            throw new IllegalArgumentException("bad device type or id: " + component);
        }
    }

    public String frontendPath()
    {
        return "/local/domain/" + frontendDomid + "/device/" + type + "/" + id;
    }

    public String backendPath()
    {
        return "/local/domain/" + backendDomid + "/backend/" + type + "/" + frontendDomid + "/" + id;
    }
}
