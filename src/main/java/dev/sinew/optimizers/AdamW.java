package dev.sinew.optimizers;

import java.util.Map;

/**
 * AdamW, as Keras's {@code AdamW(learning_rate=0.001, weight_decay=0.004, beta_1=0.9,
 * beta_2=0.999, epsilon=1e-7, amsgrad=False)} (keras/src/optimizers/adamw.py): {@link Adam} with
 * decoupled weight decay, which every optimizer takes but AdamW turns on by default. Each step,
 * before Adam's update:
 * <pre>
 *   w -= w * weight_decay * lr          (not on biases, nor on weights named in excludeFromWeightDecay)
 * </pre>
 * then Adam's update with the same arguments. {@code weight_decay} must be a number (Keras
 * refuses None); 0 gives plain Adam.
 * <pre>{@code
 * new AdamW(1e-3)
 * AdamW.builder().learningRate(3e-4).weightDecay(0.05).excludeFromWeightDecay("embedding").build()
 * }</pre>
 */
public final class AdamW extends Adam {
    /** AdamW with Keras's defaults. */
    public AdamW() {
        this(builder());
    }

    /** AdamW with the given learning rate and Keras's other defaults (weight_decay 0.004). */
    public AdamW(double learningRate) {
        this(builder().learningRate(learningRate));
    }

    private AdamW(AdamWBuilder b) {
        super(b);
        if (weightDecay() == null) {
            throw new IllegalArgumentException("AdamW: weight_decay must be a number. Received: weight_decay=null");
        }
    }

    public static AdamWBuilder builder() {
        return new AdamWBuilder();
    }

    /** An AdamW from {@link #getConfig()}'s map (Keras's names; missing ones take Keras's defaults). */
    public static AdamW fromConfig(Map<String, Object> c) {
        return builder().config(c).build();
    }

    @Override
    public String name() {
        return "AdamW";
    }

    /** Adam's arguments, with Keras's AdamW default {@code weightDecay} 0.004. */
    public static final class AdamWBuilder extends Adam.Builder<AdamWBuilder, AdamW> {
        AdamWBuilder() {
            super(0.001, 0.004);
        }

        @Override
        protected AdamWBuilder self() {
            return this;
        }

        @Override
        public AdamW build() {
            return new AdamW(this);
        }
    }
}
