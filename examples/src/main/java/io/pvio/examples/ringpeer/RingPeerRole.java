package io.pvio.examples.ringpeer;

import java.util.Locale;

/** Which end of the blkif ring a {@code pvio ring-peer} plays. */
public enum RingPeerRole
{
    /** Produces requests and consumes responses (the guest's blkfront). */
    FRONT,
    /** Consumes requests and produces responses (dom0's blkback). */
    BACK;

    /** The name used on the command line: {@code front} or {@code back}. */
    public String cliName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code front} or {@code back} (any case).
     *
     * @throws IllegalArgumentException for anything else.
     */
    public static RingPeerRole parse(final String text)
    {
        for (final RingPeerRole role : values())
        {
            if (role.cliName().equalsIgnoreCase(text))
            {
                return role;
            }
        }
        throw new IllegalArgumentException("role must be 'front' or 'back', not '" + text + "'");
    }
}
