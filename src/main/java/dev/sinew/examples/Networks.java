package dev.sinew.examples;

import dev.sinew.layers.Conv2D;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Dropout;
import dev.sinew.layers.Flatten;
import dev.sinew.layers.Input;
import dev.sinew.layers.MaxPooling2D;
import dev.sinew.layers.RandomRotation;
import dev.sinew.layers.RandomTranslation;
import dev.sinew.layers.RandomZoom;
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
        try {
            net.add(new Input(inputs));
            for (int units : hidden) {
                net.add(new Dense(units, "relu"));
                if (dropout > 0) net.add(new Dropout(dropout));
            }
            net.add(new Dense(classes, "softmax"));
            return net;
        } catch (RuntimeException e) {
            net.close(); // a layer the sizes cannot make: the caller never sees this model, so it is closed here
            throw e;
        }
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

    /**
     * The notebook's convolutional network for 28x28 grey images: [augmentation] -> Conv2D(32, 3,
     * relu) -> MaxPooling2D(2) -> Conv2D(64, 3, relu) -> MaxPooling2D(2) -> Flatten -> [Dropout] ->
     * Dense(128, relu) -> Dense(classes, softmax). Augmentation, when asked for, distorts each
     * training image a little: rotation up to 0.03 of a turn (about 11 degrees), zoom up to 10%,
     * shifts up to 10%. Not compiled.
     */
    public static Sequential cnn(int classes, double dropout, boolean augment, long seed) {
        Sequential net = new Sequential(seed);
        try {
            net.add(new Input(28, 28, 1));
            if (augment) {
                net.add(new RandomRotation(0.03));
                net.add(new RandomZoom(0.1));
                net.add(new RandomTranslation(0.1, 0.1));
            }
            net.add(new Conv2D(32, 3, "relu"));
            net.add(new MaxPooling2D(2));
            net.add(new Conv2D(64, 3, "relu"));
            net.add(new MaxPooling2D(2));
            net.add(new Flatten());
            if (dropout > 0) net.add(new Dropout(dropout));
            net.add(new Dense(128, "relu"));
            net.add(new Dense(classes, "softmax"));
            return net;
        } catch (RuntimeException e) {
            net.close(); // as in mlp
            throw e;
        }
    }

    /** {@link #cnn} for 10 classes, compiled as in the notebook: SGD(0.05), categorical cross-entropy, accuracy. */
    public static Sequential notebookCnn(double dropout, boolean augment, long seed) {
        Sequential net = cnn(10, dropout, augment, seed);
        net.compile("categorical_crossentropy", new SGD(0.05), "accuracy");
        return net;
    }

    /**
     * The notebook's first program's network, compiled: 2 -> 150 -> 150 -> 100 -> 1, relu
     * everywhere, mean squared error, SGD(0.1), accuracy.
     */
    public static Sequential regression(long seed) {
        Sequential net = new Sequential(seed);
        net.add(new Input(2));
        net.add(new Dense(150, "relu"));
        net.add(new Dense(150, "relu"));
        net.add(new Dense(100, "relu"));
        net.add(new Dense(1, "relu"));
        net.compile("mean_squared_error", new SGD(0.1), "accuracy");
        return net;
    }
}
