package dev.sinew.examples;

import dev.sinew.layers.Dense;
import dev.sinew.layers.Dropout;
import dev.sinew.layers.Input;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.SGD;

/** The networks of the notebook, ready to train. */
public final class Networks {
    private Networks() {}

    /**
     * An image classifier: inputs -> hidden... -> classes, relu then softmax, with optional
     * dropout after each hidden layer. Not compiled.
     */
    public static Sequential mlp(int inputs, int[] hidden, int classes, double dropout, long seed) {
        Sequential net = new Sequential(seed);
        net.add(new Input(inputs));
        for (int units : hidden) {
            net.add(new Dense(units, "relu"));
            if (dropout > 0) net.add(new Dropout(dropout));
        }
        net.add(new Dense(classes, "softmax"));
        return net;
    }

    /**
     * The notebook's Fashion-MNIST classifier, compiled: 784 -> 150 -> 150 -> 100 -> 10 (relu,
     * softmax), categorical cross-entropy, SGD(0.1), accuracy.
     */
    public static Sequential notebookMlp(long seed) {
        Sequential net = mlp(784, new int[] {150, 150, 100}, 10, 0, seed);
        net.compile("categorical_crossentropy", new SGD(0.1), "accuracy");
        return net;
    }
}
