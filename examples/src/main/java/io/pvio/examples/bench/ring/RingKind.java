package io.pvio.examples.bench.ring;

/**
 * The rings compared by the benchmarks (the JMH {@code ring} parameter). The pvio ring runs twice: with Xen's
 * event-index notification suppression, and with a kick after every push.
 */
public enum RingKind
{
    PVIO("pvio", "event index", true),
    PVIO_NO_SUPPRESSION("pvio (kick every push)", "off", true),
    PVIO_POLLING("pvio (polling)", "none: both ends poll", true),
    AGRONA("Agrona OneToOneRingBuffer", "n/a", false),
    JCTOOLS("JCTools SpscArrayQueue", "n/a", false),
    DISRUPTOR("LMAX Disruptor", "n/a", false),
    ABQ("ArrayBlockingQueue", "n/a", false);

    private final String label;
    private final String suppression;
    private final boolean pvio;

    RingKind(final String label, final String suppression, final boolean pvio)
    {
        this.label = label;
        this.suppression = suppression;
        this.pvio = pvio;
    }

    /** Human-readable name for reports. */
    public String label()
    {
        return label;
    }

    /** Notification suppression in effect: {@code event index}, {@code off}, or {@code n/a} for peers. */
    public String suppression()
    {
        return suppression;
    }

    /** True for the pvio ring, false for the peers it is compared with. */
    public boolean isPvio()
    {
        return pvio;
    }
}
