package dev.sinew.spark;

import dev.sinew.models.Model;
import dev.sinew.optimizers.Optimizer;
import dev.sinew.tensor.ParameterTable;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What moves between driver and executors, as flat float arrays in the model's
 * {@link ParameterTable} order (trainable weights first, then non-trainable ones such as
 * BatchNormalization's moving statistics): the weight block, the gradient block (trainable part
 * only) and the optimizer's state block (its state variables in their order, then the EMA average
 * if any). Executors write their private copies' blocks directly; the driver's model is changed
 * only through its public methods ({@link Model#setWeights}, {@link Model#applyGradients}).
 */
final class Blocks {
    private Blocks() {}

    /** The whole weight block: trainable, then non-trainable values. */
    static float[] weights(Model m) {
        ParameterTable t = m.parameterTable();
        return first(t.values(), t.size());
    }

    /** Loads a weight block into an executor's model. */
    static void setWeights(Model m, float[] block) {
        m.parameterTable().values().copyFrom(block);
    }

    /** The gradients of the trainable weights left by the last computeGradients. */
    static float[] gradients(Model m) {
        ParameterTable t = m.parameterTable();
        return first(t.gradients(), t.trainableSize());
    }

    /** The non-trainable weights (moving statistics), or null for a model without any. */
    static float[] nonTrainable(Model m) {
        ParameterTable t = m.parameterTable();
        long n = t.size() - t.trainableSize();
        return n == 0 ? null : t.values().slice(t.trainableSize(), Shape.of((int) n)).toArray();
    }

    /**
     * A block in table order as the per-weight list {@link Model#setWeights} and
     * {@link Model#applyGradients} take. A gradient block holds only the trainable weights':
     * with {@code trainableOnly} the other entries are zeros.
     */
    static List<float[]> perWeight(Model m, float[] block, boolean trainableOnly) {
        List<float[]> out = new ArrayList<>();
        for (Variable v : m.parameterTable().variables()) {
            int size = (int) v.size(), at = (int) v.offset();
            out.add(trainableOnly && !v.trainable() ? new float[size] : java.util.Arrays.copyOfRange(block, at, at + size));
        }
        return out;
    }

    /** The optimizer's state variables (their meaningful values), then the EMA average, as one block. */
    static float[] optimizerState(Model m) {
        Optimizer o = m.optimizer();
        int n = 0;
        for (Map.Entry<String, Tensor> e : o.stateVariables().entrySet()) n += (int) o.stateLength(e.getKey());
        if (o.average() != null) n += (int) m.parameterTable().trainableSize();
        float[] out = new float[n];
        int at = 0;
        for (Map.Entry<String, Tensor> e : o.stateVariables().entrySet()) {
            float[] v = first(e.getValue(), o.stateLength(e.getKey()));
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        if (o.average() != null) System.arraycopy(first(o.average(), m.parameterTable().trainableSize()), 0, out, at, out.length - at);
        return out;
    }

    /** Writes what {@link #optimizerState} read back into {@code m}'s optimizer, and its iteration count. */
    static void setOptimizerState(Model m, float[] block, long iterations) {
        Optimizer o = m.optimizer();
        int at = 0;
        for (Map.Entry<String, Tensor> e : o.stateVariables().entrySet()) {
            int len = (int) o.stateLength(e.getKey());
            e.getValue().copyFrom(java.util.Arrays.copyOfRange(block, at, at + len));
            at += len;
        }
        if (o.average() != null) o.average().copyFrom(java.util.Arrays.copyOfRange(block, at, block.length));
        o.setIterations(iterations);
    }

    /**
     * The sum of {@code parts} (nulls skipped) in a fixed tree order: neighbours in list order
     * pairwise, level by level, so the result depends only on the parts, never on the order in
     * which executors finished.
     */
    static float[] treeSum(List<float[]> parts) {
        List<float[]> level = new ArrayList<>();
        for (float[] p : parts) if (p != null) level.add(p.clone());
        if (level.isEmpty()) throw new IllegalArgumentException("treeSum: nothing to sum");
        while (level.size() > 1) {
            List<float[]> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i += 2) {
                float[] a = level.get(i);
                if (i + 1 < level.size()) {
                    float[] b = level.get(i + 1);
                    for (int k = 0; k < a.length; k++) a[k] += b[k];
                }
                next.add(a);
            }
            level = next;
        }
        return level.get(0);
    }

    /** sum_p weight_p * parts_p / sum_p weight_p, accumulated in double in list order (nulls and zero weights skipped). */
    static float[] weightedMean(List<float[]> parts, double[] weight) {
        double total = 0;
        double[] acc = null;
        for (int p = 0; p < parts.size(); p++) {
            float[] x = parts.get(p);
            if (x == null || weight[p] == 0) continue;
            if (acc == null) acc = new double[x.length];
            for (int k = 0; k < x.length; k++) acc[k] += weight[p] * x[k];
            total += weight[p];
        }
        if (acc == null) throw new IllegalArgumentException("weightedMean: nothing to average");
        float[] out = new float[acc.length];
        for (int k = 0; k < acc.length; k++) out[k] = (float) (acc[k] / total);
        return out;
    }

    private static float[] first(Tensor t, long n) {
        return n == 0 ? new float[0] : t.slice(0, Shape.of((int) n)).toArray();
    }
}
