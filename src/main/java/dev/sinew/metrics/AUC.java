package dev.sinew.metrics;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code auc}: the area under the ROC (or precision-recall) curve, as Keras's {@code AUC}. The
 * curve is sampled at {@code num_thresholds} thresholds (default 200): -ε, 1/(T-1), ..., (T-2)/(T-1),
 * 1+ε. Each prediction, clipped to [0, 1], falls in one bucket between thresholds, so an update is
 * one pass over the outputs and the counts at every threshold are running sums over the buckets
 * (Keras's evenly-spaced-thresholds path). The area is a Riemann sum over the thresholds:
 * trapezoids ({@code interpolation}, the default), or the lower ({@code minoring}) or upper
 * ({@code majoring}) of the two heights; the PR curve with interpolation uses Keras's closed form
 * (Davis and Goadrich). Outputs are flattened into one set of decisions unless {@code multi_label},
 * which takes the mean of one AUC per column.
 */
public final class AUC extends StatefulMetric {
    private final String name;
    private final int numThresholds;
    private final String curve, summationMethod;
    private final boolean multiLabel, fromLogits;

    /** Keras's defaults: 200 thresholds, ROC, interpolation. */
    public AUC() {
        this(builder());
    }

    public AUC(int numThresholds) {
        this(builder().numThresholds(numThresholds));
    }

    private AUC(Builder b) {
        if (b.numThresholds < 2) {
            throw new IllegalArgumentException("auc: num_thresholds must be an integer > 1, got " + b.numThresholds);
        }
        this.name = b.name;
        this.numThresholds = b.numThresholds;
        this.curve = switch (b.curve.toUpperCase(Locale.ROOT)) {
            case "ROC", "PR" -> b.curve.toUpperCase(Locale.ROOT);
            default -> throw new IllegalArgumentException("auc: curve must be \"ROC\" or \"PR\", got \"" + b.curve + "\"");
        };
        this.summationMethod = switch (b.summationMethod.toLowerCase(Locale.ROOT)) {
            case "interpolation", "minoring", "majoring" -> b.summationMethod.toLowerCase(Locale.ROOT);
            default -> throw new IllegalArgumentException("auc: summation_method must be interpolation, minoring or majoring,"
                    + " got \"" + b.summationMethod + "\"");
        };
        this.multiLabel = b.multiLabel;
        this.fromLogits = b.fromLogits;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Keras's {@code AUC(...)} arguments, by their Keras names. */
    public static final class Builder {
        private String name = "auc";
        private int numThresholds = 200;
        private String curve = "ROC", summationMethod = "interpolation";
        private boolean multiLabel, fromLogits;

        private Builder() {}

        public Builder numThresholds(int n) {
            this.numThresholds = n;
            return this;
        }

        /** {@code "ROC"} (default) or {@code "PR"}. */
        public Builder curve(String curve) {
            this.curve = java.util.Objects.requireNonNull(curve, "curve");
            return this;
        }

        /** {@code "interpolation"} (default), {@code "minoring"} or {@code "majoring"}. */
        public Builder summationMethod(String method) {
            this.summationMethod = java.util.Objects.requireNonNull(method, "summationMethod");
            return this;
        }

        /** One AUC per output column, averaged, instead of all outputs flattened into one curve. */
        public Builder multiLabel(boolean multiLabel) {
            this.multiLabel = multiLabel;
            return this;
        }

        /** Predictions are logits: a sigmoid maps them to [0, 1] first. */
        public Builder fromLogits(boolean fromLogits) {
            this.fromLogits = fromLogits;
            return this;
        }

        Builder name(String name) {
            this.name = name;
            return this;
        }

        public AUC build() {
            return new AUC(this);
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** The thresholds, as Keras's {@code AUC.thresholds}. */
    public double[] thresholds() {
        double[] t = new double[numThresholds];
        for (int i = 1; i < numThresholds - 1; i++) t[i] = i * 1.0 / (numThresholds - 1);
        t[0] = -1e-7;
        t[numThresholds - 1] = 1 + 1e-7;
        return t;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        if (numThresholds != 200) c.put("num_thresholds", (long) numThresholds);
        if (!curve.equals("ROC")) c.put("curve", curve);
        if (!summationMethod.equals("interpolation")) c.put("summation_method", summationMethod);
        if (multiLabel) c.put("multi_label", true);
        if (fromLogits) c.put("from_logits", true);
        return c;
    }

    static AUC fromConfig(String name, Map<String, Object> c) {
        Builder b = builder().name(name);
        if (c.get("num_thresholds") instanceof Number n) b.numThresholds(Math.toIntExact(n.longValue()));
        if (c.get("curve") instanceof String s) b.curve(s);
        if (c.get("summation_method") instanceof String s) b.summationMethod(s);
        if (c.get("multi_label") instanceof Boolean m) b.multiLabel(m);
        if (c.get("from_logits") instanceof Boolean f) b.fromLogits(f);
        return b.build();
    }

    @Override
    public MetricState newState() {
        return new Counts();
    }

    /** Per column (one, unless multi_label) and bucket: the positive and negative targets that fell there. */
    private final class Counts implements MetricState {
        private double[][] positives, negatives;

        @Override
        public void update(Backend backend, Tensor pred, Tensor target, int n, int c) {
            int labels = multiLabel ? c : 1;
            if (positives == null) {
                positives = new double[labels][numThresholds];
                negatives = new double[labels][numThresholds];
            } else if (positives.length != labels) {
                throw new IllegalArgumentException(name + ": multi_label state has " + positives.length
                        + " columns, this batch has " + c);
            }
            float scale = numThresholds - 1;
            for (int row = 0; row < n; row++) {
                for (int j = 0; j < c; j++) {
                    long i = (long) row * c + j;
                    float p = pred.get(i);
                    if (fromLogits) p = (float) (1 / (1 + Math.exp(-p)));
                    p = Math.min(1f, Math.max(0f, p));
                    // Above threshold k (k/(T-1)) exactly when ceil(p*(T-1)) - 1 >= k; -ε takes them all.
                    int bucket = Float.isNaN(p) ? 0 : Math.max(0, (int) Math.ceil(p * scale) - 1);
                    int label = multiLabel ? j : 0;
                    if (target.get(i) != 0) positives[label][bucket]++;
                    else negatives[label][bucket]++;
                }
            }
        }

        @Override
        public double result() {
            if (positives == null) return 0;
            double sum = 0;
            for (int l = 0; l < positives.length; l++) sum += area(positives[l], negatives[l]);
            return sum / positives.length;
        }

        @Override
        public void reset() {
            positives = negatives = null;
        }
    }

    /** The area under one curve from its bucket counts. */
    private double area(double[] posBuckets, double[] negBuckets) {
        int T = numThresholds;
        double[] tp = new double[T], fp = new double[T];
        double runTp = 0, runFp = 0;
        for (int k = T - 1; k >= 0; k--) {
            runTp += posBuckets[k];
            runFp += negBuckets[k];
            tp[k] = runTp;
            fp[k] = runFp;
        }
        double pos = tp[0], neg = fp[0];
        if (curve.equals("PR") && summationMethod.equals("interpolation")) return interpolatedPrArea(tp, fp, pos);
        double[] x = new double[T], y = new double[T];
        for (int k = 0; k < T; k++) {
            double recall = Confusion.ratio(tp[k], pos);
            if (curve.equals("ROC")) {
                x[k] = Confusion.ratio(fp[k], neg);
                y[k] = recall;
            } else {
                x[k] = recall;
                y[k] = Confusion.ratio(tp[k], tp[k] + fp[k]);
            }
        }
        double area = 0;
        for (int k = 0; k < T - 1; k++) {
            double height = switch (summationMethod) {
                case "minoring" -> Math.min(y[k], y[k + 1]);
                case "majoring" -> Math.max(y[k], y[k + 1]);
                default -> (y[k] + y[k + 1]) / 2;
            };
            area += (x[k] - x[k + 1]) * height;
        }
        return area;
    }

    /**
     * Keras's {@code interpolate_pr_auc}: between two thresholds, true positives and predicted
     * positives vary linearly, and precision's integral over recall has a closed form.
     */
    private double interpolatedPrArea(double[] tp, double[] fp, double pos) {
        double area = 0;
        for (int k = 0; k < numThresholds - 1; k++) {
            double dtp = tp[k] - tp[k + 1];
            double pA = tp[k] + fp[k], pB = tp[k + 1] + fp[k + 1];
            double slope = Confusion.ratio(dtp, Math.max(pA - pB, 0));
            double intercept = tp[k + 1] - slope * pB;
            double ratio = pA > 0 && pB > 0 ? pA / pB : 1;
            double fnB = pos - tp[k + 1];
            area += Confusion.ratio(slope * (dtp + intercept * Math.log(ratio)), Math.max(tp[k + 1] + fnB, 0));
        }
        return area;
    }
}
