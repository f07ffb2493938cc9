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
import dev.sinew.layers.Activation;
import dev.sinew.layers.Add;
import dev.sinew.layers.BatchNormalization;
import dev.sinew.layers.GlobalAveragePooling2D;
import dev.sinew.layers.KerasTensor;
import dev.sinew.models.Model;
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

    /**
     * A small residual network for 28x28 grey images (the functional API): a stem convolution,
     * then three stages of two residual blocks each ({@code width}, 2x and 4x filters; the first
     * block of stages 2 and 3 halves the image with stride 2 and a 1x1 projection shortcut), then
     * global average pooling and a softmax. Each block is conv-BN-relu-conv-BN plus the shortcut,
     * then relu, as in He et al. (2016); convolutions before a BatchNormalization have no bias.
     * Width 16 gives 176k weights. With {@code augment}, training images are first shifted by up
     * to 5% each way (RandomTranslation; inference sees them as they are): within 10 epochs, 10%
     * held it back more than it helped (ResnetAccuracyTest's measurements). Not compiled.
     */
    public static Model resnet(int classes, int width, boolean augment, long seed) {
        var in = dev.sinew.layers.Input.of(28, 28, 1);
        KerasTensor x = augment ? new RandomTranslation(0.05, 0.05).apply(in) : in;
        x = convBn(x, width, 1);
        x = new Activation("relu").apply(x);
        for (int stage = 0; stage < 3; stage++) {
            int filters = width << stage;
            for (int block = 0; block < 2; block++) {
                x = residualBlock(x, filters, stage > 0 && block == 0 ? 2 : 1);
            }
        }
        KerasTensor out = new Dense(classes, "softmax").apply(new GlobalAveragePooling2D().apply(x));
        return new Model(in, out, seed);
    }

    /** {@link #resnet(int, int, boolean, long)} without augmentation. */
    public static Model resnet(int classes, int width, long seed) {
        return resnet(classes, width, false, seed);
    }

    private static KerasTensor residualBlock(KerasTensor x, int filters, int strides) {
        KerasTensor y = new Activation("relu").apply(convBn(x, filters, strides));
        y = convBn(y, filters, 1);
        KerasTensor shortcut = x;
        if (strides != 1 || x.shape().dim(2) != filters) {
            shortcut = new BatchNormalization().apply(new Conv2D(filters, 1, 1, strides, strides, "same",
                    dev.sinew.activations.Activation.LINEAR).useBias(false).apply(x));
        }
        return new Activation("relu").apply(new Add().apply(y, shortcut));
    }

    /** A 3x3 "same" convolution without bias, then BatchNormalization. */
    private static KerasTensor convBn(KerasTensor x, int filters, int strides) {
        Conv2D conv = new Conv2D(filters, 3, 3, strides, strides, "same", dev.sinew.activations.Activation.LINEAR).useBias(false);
        return new BatchNormalization().apply(conv.apply(x));
    }
}
