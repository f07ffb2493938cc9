package dev.sinew.callbacks;

import dev.sinew.models.Model;
import dev.sinew.optimizers.Optimizer;

/** For the callbacks that set the learning rate: the model's optimizer, when its rate is a number. */
final class LearningRates {
    private LearningRates() {}

    /**
     * The optimizer of {@code model}; one made with a learning-rate schedule has no rate to set (as
     * in Keras), which is an error naming the schedule, raised before training starts.
     */
    static Optimizer settable(Model model, String callback) {
        if (model == null) throw new IllegalStateException(callback + " has no model; fit gives it one (setModel)");
        Optimizer o = model.optimizer();
        if (o == null) throw new IllegalStateException(callback + ": the model is not compiled");
        if (o.schedule() != null) {
            throw new IllegalStateException(callback + " cannot set the learning rate of " + o.name() + ": it was made with a"
                    + " learning-rate schedule (" + o.schedule().name() + "). Give the optimizer a number, or drop the callback.");
        }
        return o;
    }
}
