package dev.sinew.fuzz;

import java.util.SplittableRandom;

/**
 * Random batches for {@link ModelFuzzCase}: values from ordinary to hostile, and shapes from right
 * to broken. A batch knows which of its parts Sinew must reject (x for predict; x, y and their
 * row counts for training) and whether its finite values may overflow (3e38), after which a
 * model's outputs may legitimately be infinite or NaN.
 */
final class FuzzData {
    /** Values of a batch Sinew must accept. */
    enum Values { NORMAL, ZEROS, DENORMAL, EXTREME, MIXED }

    /** Ways to break a batch; each must give an IllegalArgumentException. */
    enum Damage { NONE, NAN, POS_INF, NEG_INF, RAGGED, NULL_ROW, WRONG_WIDTH, EMPTY, NULL }

    record Batch(String description, float[][] x, float[][] y, boolean xBad, boolean yBad, Values xValues,
            Values yValues) {
        /** Whether a training call must reject it (x, y or their row counts). */
        boolean bad() {
            return xBad || yBad;
        }

        /** The same values, rejected or not as {@code bad} says (a damaged tensor made from them). */
        Batch withBad(boolean bad) {
            return new Batch(description, x, y, bad, false, xValues, yValues);
        }

        boolean xExtreme() {
            return xValues == Values.EXTREME || xValues == Values.MIXED;
        }

        /** Whether it holds finite values that may overflow (3e38). */
        boolean extreme() {
            return xExtreme() || yValues == Values.EXTREME || yValues == Values.MIXED;
        }

        /**
         * Whether x is all denormals: every first-layer unit then sits at z = bias + (a denormal),
         * on relu's kink when the bias is 0, where float and double rounding pick different sides.
         */
        boolean atKink() {
            return xValues == Values.DENORMAL;
        }
    }

    private final SplittableRandom rng;
    private int largest; // the largest batch handed out so far

    FuzzData(SplittableRandom rng) {
        this.rng = rng;
    }

    /** A batch size: 1, odd, random, larger than any before, or smaller. */
    int batchSize(boolean big) {
        int n = switch (rng.nextInt(6)) {
            case 0 -> 1;
            case 1 -> 1 + 2 * rng.nextInt(4);
            case 2 -> largest + 1 + rng.nextInt(big ? 24 : 8);
            case 3 -> largest > 1 ? 1 + rng.nextInt(largest - 1) : 1;
            default -> 1 + rng.nextInt(big ? 64 : 12);
        };
        n = Math.min(n, big ? 96 : 40);
        largest = Math.max(largest, n);
        return n;
    }

    /** A batch of n rows; with probability {@code damageOdds} one part of it is damaged. */
    Batch batch(int n, int inWidth, int outWidth, boolean oneHot, double damageOdds) {
        Values vx = values(), vy = rng.nextInt(4) == 0 ? values() : Values.NORMAL;
        float[][] x = rows(n, inWidth, vx, false);
        float[][] y = oneHot && vy == Values.NORMAL ? oneHot(n, outWidth) : rows(n, outWidth, vy, true);
        String d = n + " rows, x " + vx + ", y " + (oneHot && vy == Values.NORMAL ? "one-hot" : vy);
        if (rng.nextDouble() >= damageOdds) return new Batch(d, x, y, false, false, vx, vy);
        boolean toX = rng.nextBoolean();
        if (!toX && rng.nextInt(4) == 0) {
            // Row counts that differ: y one row short or long.
            int m = n > 1 && rng.nextBoolean() ? n - 1 : n + 1;
            return new Batch(d + ", y has " + m + " rows", x, rows(m, outWidth, Values.NORMAL, true), false, true, vx, vy);
        }
        Damage damage = Damage.values()[1 + rng.nextInt(Damage.values().length - 1)];
        float[][] hurt = damage(toX ? x : y, toX ? inWidth : outWidth, damage);
        return toX ? new Batch(d + ", x " + damage, hurt, y, true, false, vx, vy)
                : new Batch(d + ", y " + damage, x, hurt, false, true, vx, vy);
    }

    Values values() {
        int k = rng.nextInt(20);
        if (k < 12) return Values.NORMAL;
        return Values.values()[1 + (k - 12) % 4];
    }

    float[][] rows(int n, int width, Values v, boolean target) {
        float[][] r = new float[n][width];
        for (float[] row : r) {
            for (int c = 0; c < width; c++) row[c] = value(v, target);
        }
        return r;
    }

    private float value(Values v, boolean target) {
        return switch (v) {
            case NORMAL -> (float) (target ? rng.nextDouble() : rng.nextDouble(-1, 1));
            case ZEROS -> rng.nextInt(8) == 0 ? -0f : 0f;
            case DENORMAL -> new float[] {Float.MIN_VALUE, -Float.MIN_VALUE, 1e-40f, -3e-39f, 0f}[rng.nextInt(5)];
            case EXTREME -> new float[] {3e38f, -3e38f, Float.MAX_VALUE, -Float.MAX_VALUE, 1e30f}[rng.nextInt(5)];
            case MIXED -> switch (rng.nextInt(6)) {
                case 0 -> 3e38f;
                case 1 -> -3e38f;
                case 2 -> Float.MIN_VALUE;
                case 3 -> 0f;
                default -> (float) rng.nextDouble(-1, 1);
            };
        };
    }

    float[][] oneHot(int n, int classes) {
        float[][] y = new float[n][classes];
        for (float[] r : y) r[rng.nextInt(classes)] = 1f;
        return y;
    }

    /** One weight array of {@code size} values: uniform in [-scale, scale] for NORMAL. */
    float[] weights(int size, Values v, double scale) {
        float[] w = new float[size];
        for (int i = 0; i < size; i++) w[i] = v == Values.NORMAL ? (float) rng.nextDouble(-scale, scale) : value(v, false);
        return w;
    }

    float[][] damage(float[][] rows, int width, Damage d) {
        int n = rows.length, at = rng.nextInt(n);
        return switch (d) {
            case NONE -> rows;
            case NAN, POS_INF, NEG_INF -> {
                float bad = d == Damage.NAN ? Float.NaN : d == Damage.POS_INF ? Float.POSITIVE_INFINITY
                        : Float.NEGATIVE_INFINITY;
                rows[at][rng.nextInt(width)] = bad;
                yield rows;
            }
            case RAGGED -> {
                if (n == 1) {
                    // One row cannot be ragged; two rows of different widths are.
                    yield new float[][] {rows[0], new float[width + 1]};
                }
                rows[at] = new float[rng.nextBoolean() || width == 0 ? width + 1 : width - 1];
                yield rows;
            }
            case NULL_ROW -> {
                rows[at] = null;
                yield rows;
            }
            case WRONG_WIDTH -> {
                int w = rng.nextInt(3) == 0 ? 0 : rng.nextBoolean() ? width + 1 : width - 1;
                yield new float[n][Math.max(0, w)];
            }
            case EMPTY -> new float[0][];
            case NULL -> null;
        };
    }
}
