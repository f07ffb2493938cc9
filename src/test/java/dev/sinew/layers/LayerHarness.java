package dev.sinew.layers;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs one layer outside a model: builds it for an input shape, binds and initialises its
 * weights, and evaluates the scalar L = sum(forward(x) * r) for a fixed random r, whose gradient
 * with respect to the output is r. Used by the gradient checks for every layer.
 */
final class LayerHarness implements AutoCloseable {
    final Layer layer;
    final int n;
    final Workspace ws = new Workspace();
    final Tensor x, r, dy;
    final List<Tensor> weights = new ArrayList<>(), grads = new ArrayList<>();
    final int inWidth, outWidth;
    /** The mode of the forward passes of {@link #loss()} (BatchNormalization's statistics, dropout). */
    boolean training = true;

    LayerHarness(Layer layer, Shape input, int n, Backend backend, long seed) {
        this.layer = layer;
        this.n = n;
        Shape out = layer.build(input, backend);
        inWidth = (int) input.size();
        outWidth = (int) out.size();
        for (Shape s : layer.weightShapes()) {
            weights.add(ws.allocate(s));
            grads.add(ws.allocate(s));
        }
        layer.bindWeights(weights, grads);
        SplittableRandom rng = new SplittableRandom(seed);
        layer.initializeWeights(rng);
        // Non-zero biases, so the checks see them at work.
        for (int i = 1; i < weights.size(); i += 2) fill(weights.get(i), rng, -0.5, 0.5);
        layer.allocate(ws, n);
        x = ws.allocate(Shape.of(n, inWidth));
        r = ws.allocate(Shape.of(n, outWidth));
        dy = ws.allocate(Shape.of(n, outWidth));
        fill(x, rng, -1, 1);
        fill(r, rng, -1, 1);
    }

    static void fill(Tensor t, SplittableRandom rng, double lo, double hi) {
        for (long i = 0; i < t.size(); i++) t.set(i, (float) rng.nextDouble(lo, hi));
    }

    /** L = sum(y * r), accumulated in double. */
    double loss() {
        return loss(layer);
    }

    /**
     * L of another layer {@code l} run over this harness's x, r and bound weights (a layer that
     * wraps {@link #layer}, as Int8Dense wraps a Dense).
     */
    double loss(Layer l) {
        Tensor y = l.forward(x, n, training);
        double sum = 0;
        for (long i = 0; i < (long) n * outWidth; i++) sum += (double) y.get(i) * r.get(i);
        return sum;
    }

    /** Forward then backward with dL/dy = r; returns dL/dx (copied). Weight gradients stay in {@link #grads}. */
    float[] backward() {
        return backward(layer);
    }

    /** {@link #backward()} of another layer {@code l}, as {@link #loss(Layer)}. */
    float[] backward(Layer l) {
        loss(l);
        for (long i = 0; i < dy.size(); i++) dy.set(i, r.get(i));
        Tensor dx = l.backward(dy, n, true);
        float[] out = new float[n * inWidth];
        for (int i = 0; i < out.length; i++) out[i] = dx.get(i);
        return out;
    }

    /** Central difference dL/dt[i] for every element of t. */
    float[] numericGradient(Tensor t, long count, double eps) {
        return numericGradient(layer, t, count, eps);
    }

    /** {@link #numericGradient(Tensor, long, double)} of another layer {@code l}, as {@link #loss(Layer)}. */
    float[] numericGradient(Layer l, Tensor t, long count, double eps) {
        float[] g = new float[(int) count];
        for (int i = 0; i < count; i++) {
            float old = t.get(i);
            t.set(i, (float) (old + eps));
            double plus = loss(l);
            t.set(i, (float) (old - eps));
            double minus = loss(l);
            t.set(i, old);
            g[i] = (float) ((plus - minus) / (2 * eps));
        }
        return g;
    }

    @Override
    public void close() {
        ws.close();
    }
}
