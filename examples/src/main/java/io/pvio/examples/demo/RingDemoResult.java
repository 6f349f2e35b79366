package io.pvio.examples.demo;

/**
 * What a ring demo run did.
 *
 * @param problem          null when every round trip was correct, else what went wrong.
 * @param roundTrips       responses the front end received and checked.
 * @param frontBatches     batches of requests the front end published.
 * @param backBatches      batches of responses the back end published.
 * @param kicksToBack      notifications sent to the back end.
 * @param kicksToFront     notifications sent to the front end.
 * @param elapsedNs        wall-clock time of the exchange.
 */
public record RingDemoResult(
    String problem,
    long roundTrips,
    long frontBatches,
    long backBatches,
    long kicksToBack,
    long kicksToFront,
    long elapsedNs)
{
    public boolean correct()
    {
        return problem == null;
    }
}
