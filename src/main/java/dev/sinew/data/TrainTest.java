package dev.sinew.data;

import java.util.Objects;

/**
 * A data set as published: a training and a test part, and where they were read from.
 */
public record TrainTest(Dataset train, Dataset test, String source) {
    public TrainTest {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
    }

    /**
     * Shuffles the training part with {@code seed}, then keeps {@code trainCount} samples for
     * training and the next {@code validationCount} for validation; the test part stays as it
     * is. The notebook's 45,000 / 5,000 / 10,000 is {@code splits(45_000, 5_000, seed)}.
     */
    public Splits splits(int trainCount, int validationCount, long seed) {
        if (trainCount <= 0 || validationCount <= 0) {
            throw new IllegalArgumentException("train and validation counts must be positive, got "
                    + trainCount + " and " + validationCount);
        }
        if ((long) trainCount + validationCount > train.size()) {
            throw new IllegalArgumentException("cannot take " + trainCount + " training + " + validationCount
                    + " validation samples from " + train.size());
        }
        Dataset shuffled = train.shuffled(seed);
        return new Splits(shuffled.slice(0, trainCount),
                shuffled.slice(trainCount, trainCount + validationCount), test);
    }
}
