package dev.sinew.cli;

import dev.sinew.layers.Dense;
import dev.sinew.layers.Dropout;
import dev.sinew.layers.Input;
import dev.sinew.models.Sequential;

/** The networks the command line trains. */
final class Models {
    private Models() {}

    /**
     * The notebook's classifier: 784 -> hidden... -> 10, relu then softmax, with optional dropout
     * after each hidden layer.
     */
    static Sequential mlp(int inputs, int[] hidden, int classes, double dropout, long seed) {
        Sequential net = new Sequential(seed);
        net.add(new Input(inputs));
        for (int units : hidden) {
            net.add(new Dense(units, "relu"));
            if (dropout > 0) net.add(new Dropout(dropout));
        }
        net.add(new Dense(classes, "softmax"));
        return net;
    }
}
