package dev.sinew.optimizers;

import java.util.Map;

/**
 * The arguments Adam, Adamax and Nadam share, with Keras's names and defaults: {@code beta1}
 * (0.9), {@code beta2} (0.999), {@code epsilon} (1e-7), on top of every optimizer's own. Each
 * optimizer checks the values it is given in its constructor.
 */
public abstract class MomentsBuilder<B extends MomentsBuilder<B, O>, O extends Optimizer> extends Optimizer.Builder<B, O> {
    double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7;

    protected MomentsBuilder(double defaultLearningRate, Double defaultWeightDecay) {
        super(defaultLearningRate, defaultWeightDecay);
    }

    public B beta1(double v) {
        this.beta1 = v;
        return self();
    }

    public B beta2(double v) {
        this.beta2 = v;
        return self();
    }

    public B epsilon(double v) {
        this.epsilon = v;
        return self();
    }

    @Override
    public B config(Map<String, Object> c) {
        super.config(c);
        if (number(c, "beta_1") != null) beta1 = number(c, "beta_1");
        if (number(c, "beta_2") != null) beta2 = number(c, "beta_2");
        if (number(c, "epsilon") != null) epsilon = number(c, "epsilon");
        return self();
    }
}
