package dev.sinew.data;

/** Training, validation and test data: fit on the first, watch the second, report the third. */
public record Splits(Dataset train, Dataset validation, Dataset test) {
    @Override
    public String toString() {
        return "train " + train.size() + " / validation " + validation.size() + " / test " + test.size();
    }
}
