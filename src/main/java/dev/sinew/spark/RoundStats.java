package dev.sinew.spark;

/**
 * What a {@link SparkTrainer#fit} spent per round (one Spark job: a step in exact mode, K local
 * steps when averaging). Bytes are the payload of the float arrays (4 bytes a value; Spark's
 * framing and compression not included): each round the driver broadcasts the weight block (and,
 * when averaging, the optimizer state) once, and collects each partition's gradient block, or its
 * weights and state, with the predictions and targets its metrics need. Times: the driver's wall
 * time of the rounds (broadcast, job, sum and update), and of that the slowest partition's
 * computing (forward, backward, local updates) — what more executors would divide; the rest is
 * Spark's scheduling and the moving of bytes.
 */
public record RoundStats(long rounds, long broadcastBytes, long collectedBytes, long wallNanos, long computeNanos) {

    /** Bytes broadcast per round: the weight block, 4 bytes a weight (plus the optimizer state when averaging). */
    public long broadcastPerRound() {
        return rounds == 0 ? 0 : broadcastBytes / rounds;
    }

    /** Bytes the driver collected per round, from all partitions together. */
    public long collectedPerRound() {
        return rounds == 0 ? 0 : collectedBytes / rounds;
    }

    /** Mean wall time of a round, in milliseconds. */
    public double msPerRound() {
        return rounds == 0 ? 0 : wallNanos / 1e6 / rounds;
    }

    /** Mean time of a round's slowest partition computing, in milliseconds. */
    public double computeMsPerRound() {
        return rounds == 0 ? 0 : computeNanos / 1e6 / rounds;
    }

    RoundStats plus(long broadcast, long collected, long wall, long compute) {
        return new RoundStats(rounds + 1, broadcastBytes + broadcast, collectedBytes + collected, wallNanos + wall, computeNanos + compute);
    }

    @Override
    public String toString() {
        return String.format("%d rounds, per round %,d B broadcast, %,d B collected, %.1f ms (%.1f ms computing)", rounds,
                broadcastPerRound(), collectedPerRound(), msPerRound(), computeMsPerRound());
    }
}
