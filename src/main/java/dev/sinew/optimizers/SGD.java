package dev.sinew.optimizers;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stochastic gradient descent, as Keras's {@code SGD(learning_rate, momentum, nesterov)}:
 * <pre>
 *   momentum = 0:  w = w - lr * g
 *   otherwise:     v = momentum * v - lr * g;  w = w + v            (nesterov: w = w + momentum * v - lr * g)
 * </pre>
 * Plain SGD is one {@code saxpy} over all of the model's parameters.
 */
public final class SGD implements Optimizer {
    private float learningRate;
    private final float momentum;
    private final boolean nesterov;

    private Backend backend;
    private Tensor params, grads, velocity;
    private long count;

    /** Plain SGD with the given learning rate (Keras's default is 0.01). */
    public SGD(double learningRate) {
        this(learningRate, 0.0, false);
    }

    public SGD(double learningRate, double momentum, boolean nesterov) {
        checkLearningRate(learningRate);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + momentum);
        }
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("SGD with nesterov=true needs a momentum > 0");
        }
        this.learningRate = (float) learningRate;
        this.momentum = (float) momentum;
        this.nesterov = nesterov;
    }

    private static void checkLearningRate(double lr) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("SGD learning rate must be positive and finite, got " + lr);
        }
    }

    @Override
    public String name() {
        return "SGD";
    }

    public double learningRate() {
        return learningRate;
    }

    /** Changes the learning rate from the next step on (for schedules and callbacks). */
    public void setLearningRate(double lr) {
        checkLearningRate(lr);
        this.learningRate = (float) lr;
    }

    public double momentum() {
        return momentum;
    }

    public boolean nesterov() {
        return nesterov;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        // Float.toString keeps the value as written (0.1, not 0.10000000149011612).
        c.put("learning_rate", Double.parseDouble(Float.toString(learningRate)));
        c.put("momentum", Double.parseDouble(Float.toString(momentum)));
        c.put("nesterov", nesterov);
        return c;
    }

    /** An SGD from {@link #getConfig()}'s map. */
    public static SGD fromConfig(Map<String, Object> c) {
        return new SGD(((Number) c.get("learning_rate")).doubleValue(),
                c.get("momentum") instanceof Number m ? m.doubleValue() : 0.0, Boolean.TRUE.equals(c.get("nesterov")));
    }

    @Override
    public void build(Backend backend, Tensor params, Tensor grads, long count, Workspace state) {
        this.backend = backend;
        this.params = params;
        this.grads = grads;
        this.count = count;
        this.velocity = momentum == 0 ? null : state.allocate(Shape.of(Math.toIntExact(count)));
    }

    @Override
    public void step() {
        if (backend == null) {
            throw new IllegalStateException("SGD is not bound to a model; compile a model with it first");
        }
        if (velocity == null) {
            backend.axpy(count, -learningRate, grads, params);
        } else {
            backend.sgdMomentum(params, velocity, grads, count, learningRate, momentum, nesterov);
        }
    }

    @Override
    public String toString() {
        return "SGD(learning_rate=" + learningRate + (momentum == 0 ? "" : ", momentum=" + momentum
                + ", nesterov=" + nesterov) + ")";
    }
}
