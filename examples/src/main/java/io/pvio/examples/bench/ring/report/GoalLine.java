package io.pvio.examples.bench.ring.report;

/**
 * One goal of the ring benchmark, checked against one run.
 *
 * @param goal     what is wanted, e.g. {@code batch 32, 16 pages: pvio >= 2x the fastest peer}.
 * @param measured what this run measured, with the ratio and what it was compared with.
 * @param status   met, short, or not measured in this run.
 * @param ratio    the deciding number (a ratio, or kicks per 1,000, or bytes), NaN when not measured.
 */
public record GoalLine(String goal, String measured, Status status, double ratio)
{
    /** Outcome of a goal in one run. */
    public enum Status
    {
        MET("met"),
        SHORT("short"),
        NOT_MEASURED("not measured");

        private final String label;

        Status(final String label)
        {
            this.label = label;
        }

        /** Lower-case label for reports. */
        public String label()
        {
            return label;
        }

        static Status of(final boolean met)
        {
            return met ? MET : SHORT;
        }
    }

    static GoalLine notMeasured(final String goal, final String why)
    {
        return new GoalLine(goal, why, Status.NOT_MEASURED, Double.NaN);
    }
}
