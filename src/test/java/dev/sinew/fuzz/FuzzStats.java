package dev.sinew.fuzz;

import java.util.Map;
import java.util.TreeMap;

/** What a fuzz run did: cases, calls, rejections by exception type, native-vs-reference errors. */
final class FuzzStats {
    long cases, calls, comparisons, trainedComparisons, roundTrips, freshSteps, closedCalls, metricFlips, shardedCases, diverged;
    double largestError, largestTrainedError;
    String largestErrorAt = "", largestTrainedErrorAt = "";
    final Map<String, Long> outcomes = new TreeMap<>();
    void outcome(Outcome o) {
        calls++;
        String key = o.error() == null ? "returned" : o.error().getClass().getSimpleName();
        outcomes.merge(key, 1L, Long::sum);
    }

    void error(double e, String where) {
        comparisons++;
        if (e > largestError) {
            largestError = e;
            largestErrorAt = where;
        }
    }

    void trainedError(double e, String where) {
        trainedComparisons++;
        if (e > largestTrainedError) {
            largestTrainedError = e;
            largestTrainedErrorAt = where;
        }
    }

    String report(double seconds) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("ModelFuzzTest: %d cases (%d big ones, batches split over 2-7 threads), %d calls (each model counted) in %.1f s%n", cases,
                shardedCases, calls, seconds));
        long rejected = outcomes.entrySet().stream().filter(e -> !e.getKey().equals("returned"))
                .mapToLong(Map.Entry::getValue).sum();
        sb.append(String.format("  returned normally: %d; threw: %d%n", outcomes.getOrDefault("returned", 0L), rejected));
        outcomes.forEach((k, v) -> {
            if (!k.equals("returned")) sb.append(String.format("    %-32s %d%n", k, v));
        });
        sb.append(String.format("  calls on closed models: %d; save/load round trips: %d (%d training steps bit for bit as"
                + " the fresh copy's); training runs that diverged on ordinary data (both backends): %d%n", closedCalls,
                roundTrips, freshSteps, diverged));
        sb.append(String.format("  native vs reference: %d outputs and losses compared, largest normwise relative error"
                + " %.3e (%s)%n", comparisons, largestError, largestErrorAt));
        sb.append(String.format("  native vs reference: %d weight sets after training and gradient sets compared, largest"
                + " %.3e (%s)%n", trainedComparisons, largestTrainedError, largestTrainedErrorAt));
        sb.append(String.format("  accuracy values differing by one row: %d%n", metricFlips));
        return sb.toString();
    }
}
