package dev.sinew.fuzz;

import dev.sinew.activations.Activation;
import dev.sinew.layers.AveragePooling2D;
import dev.sinew.layers.Conv2D;
import dev.sinew.layers.Dense;
import dev.sinew.layers.DepthwiseConv2D;
import dev.sinew.layers.Dropout;
import dev.sinew.layers.Flatten;
import dev.sinew.layers.Layer;
import dev.sinew.layers.MaxPooling2D;
import dev.sinew.layers.RandomFlip;
import dev.sinew.layers.RandomRotation;
import dev.sinew.layers.RandomTranslation;
import dev.sinew.layers.RandomZoom;
import dev.sinew.layers.SeparableConv2D;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * A randomly drawn layer for {@link ModelFuzzCase}, described so the same layer can be made twice
 * (once for the native model, once for the reference one), together with what Sinew's rules say
 * must happen: whether the constructor rejects its arguments, whether {@code add} rejects it after
 * the current output shape, and the output shape otherwise. This is the fuzzer's oracle for layer
 * stacks, written from the layers' Javadoc: Dense takes flat input; Conv2D, DepthwiseConv2D,
 * SeparableConv2D, the pooling layers and augmentation take (H, W, C); "valid" windows must fit inside the image; augmentation must come
 * before every layer with weights. {@code activation} is a Dense's or Conv2D's, null for other layers.
 */
record FuzzLayer(String description, Supplier<Layer> factory, boolean constructorRejects, int[] outDims,
        boolean hasWeights, boolean augmentation, Activation activation) {

    static final String[] ACTIVATIONS = {"linear", "relu", "sigmoid", "tanh", "softmax"};

    /** Whether {@code add} must accept the layer after a stack whose output is {@code in}. */
    boolean accepted() {
        return !constructorRejects && outDims != null;
    }

    /** A layer for a stack whose output is {@code in}; {@code weighted}: a layer with weights is already there. */
    static FuzzLayer random(SplittableRandom rng, int[] in, boolean weighted, boolean big) {
        boolean image = in.length == 3;
        int r = rng.nextInt(100);
        if (rng.nextInt(12) == 0) return badArguments(rng);
        if (image) {
            if (r < 30) return rng.nextInt(3) == 0 ? depthwise(rng, in, big) : conv(rng, in, big);
            if (r < 45) return pool(rng, in, true);
            if (r < 55) return pool(rng, in, false);
            if (r < 65) return flatten(in);
            if (r < 73) return dropout(rng, in);
            if (r < 90) return augmentation(rng, in, weighted);
            return dense(rng, in, big);
        }
        if (r < 55) return dense(rng, in, big);
        if (r < 70) return dropout(rng, in);
        if (r < 78) return flatten(in);
        if (r < 86) return rng.nextInt(3) == 0 ? depthwise(rng, in, big) : conv(rng, in, big);
        if (r < 93) return pool(rng, in, rng.nextBoolean());
        return augmentation(rng, in, weighted);
    }

    static String activation(SplittableRandom rng) {
        int k = rng.nextInt(ACTIVATIONS.length + 3);
        if (k < ACTIVATIONS.length) return ACTIVATIONS[k];
        // Spellings Activation.of accepts: null is linear (as Keras), case and spaces are ignored.
        return switch (k - ACTIVATIONS.length) {
            case 0 -> null;
            case 1 -> "ReLU";
            default -> " tanh ";
        };
    }

    static FuzzLayer dense(SplittableRandom rng, int[] in, boolean big) {
        int units = 1 + rng.nextInt(big ? 32 : 8);
        String act = activation(rng);
        int form = rng.nextInt(3);
        Supplier<Layer> f = switch (form) {
            case 0 -> () -> new Dense(units, act);
            case 1 -> () -> new Dense(units, Activation.of(act));
            default -> () -> new Dense(units);
        };
        return new FuzzLayer("Dense(" + units + (form == 2 ? "" : ", " + q(act)) + ")", f, false,
                in.length == 1 ? new int[] {units} : null, true, false, form == 2 ? Activation.LINEAR : Activation.of(act));
    }

    static FuzzLayer conv(SplittableRandom rng, int[] in, boolean big) {
        int filters = 1 + rng.nextInt(big ? 8 : 4);
        int kh = 1 + rng.nextInt(4), kw = rng.nextInt(3) == 0 ? 1 + rng.nextInt(4) : kh;
        int sh = 1 + rng.nextInt(3), sw = rng.nextInt(3) == 0 ? 1 + rng.nextInt(3) : sh;
        String padding = rng.nextBoolean() ? "valid" : "same";
        String act = activation(rng);
        int form = kh == kw && sh == sw ? rng.nextInt(4) : 3;
        Supplier<Layer> f = switch (form) {
            case 0 -> () -> new Conv2D(filters, kh);
            case 1 -> () -> new Conv2D(filters, kh, act);
            case 2 -> () -> new Conv2D(filters, kh, sh, padding, act);
            default -> () -> new Conv2D(filters, kh, kw, sh, sw, padding, Activation.of(act));
        };
        // The short forms mean stride 1, "valid".
        int[] strides = form < 2 ? new int[] {1, 1} : new int[] {sh, sw};
        String pad = form < 2 ? "valid" : padding;
        return new FuzzLayer(String.format("Conv2D(%d, %dx%d, strides %dx%d, %s, %s)", filters, kh, kw, strides[0],
                strides[1], pad, form == 0 ? "linear" : q(act)), f, false,
                window(in, kh, kw, strides[0], strides[1], pad, filters), true, false,
                form == 0 ? Activation.LINEAR : Activation.of(act));
    }

    /** DepthwiseConv2D or SeparableConv2D: Conv2D's windows, C*M or {@code filters} channels out, with or without a bias. */
    static FuzzLayer depthwise(SplittableRandom rng, int[] in, boolean big) {
        boolean separable = rng.nextBoolean(), bias = rng.nextInt(4) != 0;
        int filters = 1 + rng.nextInt(big ? 8 : 4), m = 1 + rng.nextInt(3);
        int kh = 1 + rng.nextInt(4), kw = rng.nextInt(3) == 0 ? 1 + rng.nextInt(4) : kh;
        int sh = 1 + rng.nextInt(3), sw = rng.nextInt(3) == 0 ? 1 + rng.nextInt(3) : sh;
        String padding = rng.nextBoolean() ? "valid" : "same";
        Activation act = Activation.of(activation(rng));
        Supplier<Layer> f = separable ? () -> new SeparableConv2D(filters, kh, kw, sh, sw, padding, m, act, bias)
                : () -> new DepthwiseConv2D(kh, kw, sh, sw, padding, m, act, bias);
        int channels = in.length == 3 ? (separable ? filters : in[2] * m) : 0;
        return new FuzzLayer(String.format("%s(%s%dx%d, strides %dx%d, %s, depth_multiplier %d, %s, use_bias %b)",
                separable ? "SeparableConv2D" : "DepthwiseConv2D", separable ? filters + ", " : "", kh, kw, sh, sw, padding, m,
                q(act.kerasName()), bias), f, false, window(in, kh, kw, sh, sw, padding, channels), true, false, act);
    }

    static FuzzLayer pool(SplittableRandom rng, int[] in, boolean max) {
        int ph = 1 + rng.nextInt(3), pw = rng.nextInt(3) == 0 ? 1 + rng.nextInt(3) : ph;
        int sh = 1 + rng.nextInt(3), sw = rng.nextInt(3) == 0 ? 1 + rng.nextInt(3) : sh;
        String padding = rng.nextBoolean() ? "valid" : "same";
        int form = ph == pw && sh == sw ? rng.nextInt(3) : 2;
        String type = max ? "MaxPooling2D" : "AveragePooling2D";
        Supplier<Layer> f = switch (form) {
            case 0 -> max ? () -> new MaxPooling2D(ph) : () -> new AveragePooling2D(ph);
            case 1 -> max ? () -> new MaxPooling2D(ph, sh, padding) : () -> new AveragePooling2D(ph, sh, padding);
            default -> max ? () -> new MaxPooling2D(ph, pw, sh, sw, padding)
                    : () -> new AveragePooling2D(ph, pw, sh, sw, padding);
        };
        // The one-argument form: strides = pool size, "valid".
        int[] strides = form == 0 ? new int[] {ph, pw} : new int[] {sh, sw};
        String pad = form == 0 ? "valid" : padding;
        return new FuzzLayer(String.format("%s(%dx%d, strides %dx%d, %s)", type, ph, pw, strides[0], strides[1], pad),
                f, false, window(in, ph, pw, strides[0], strides[1], pad, in.length == 3 ? in[2] : 0), false, false, null);
    }

    /** Keras's output size of a window layer, or null when {@code in} is no image or a "valid" window does not fit. */
    static int[] window(int[] in, int kh, int kw, int sh, int sw, String padding, int channels) {
        if (in.length != 3) return null;
        int h = in[0], w = in[1];
        if (padding.equals("same")) return new int[] {(h + sh - 1) / sh, (w + sw - 1) / sw, channels};
        if (kh > h || kw > w) return null;
        return new int[] {(h - kh) / sh + 1, (w - kw) / sw + 1, channels};
    }

    static FuzzLayer flatten(int[] in) {
        int size = 1;
        for (int d : in) size *= d;
        return new FuzzLayer("Flatten()", Flatten::new, false, new int[] {size}, false, false, null);
    }

    static FuzzLayer dropout(SplittableRandom rng, int[] in) {
        double rate = new double[] {0, 0.1, 0.5, 0.9, 0.999}[rng.nextInt(5)];
        Long seed = rng.nextBoolean() ? null : rng.nextLong();
        return new FuzzLayer("Dropout(" + rate + (seed == null ? "" : ", seed " + seed) + ")",
                () -> new Dropout(rate, seed), false, in.clone(), false, false, null);
    }

    static FuzzLayer augmentation(SplittableRandom rng, int[] in, boolean weighted) {
        Long seed = rng.nextBoolean() ? null : rng.nextLong();
        int[] out = in.length == 3 && !weighted ? in.clone() : null;
        switch (rng.nextInt(4)) {
            case 3 -> {
                String mode = new String[] {RandomFlip.HORIZONTAL, RandomFlip.VERTICAL, RandomFlip.HORIZONTAL_AND_VERTICAL}[rng.nextInt(3)];
                return new FuzzLayer("RandomFlip(" + mode + ")", () -> new RandomFlip(mode, seed), false, out, false, true, null);
            }
            case 0 -> {
                double factor = new double[] {0.03, 0.25, 1.0}[rng.nextInt(3)];
                return new FuzzLayer("RandomRotation(" + factor + ")", () -> new RandomRotation(factor, seed), false, out,
                        false, true, null);
            }
            case 1 -> {
                double factor = new double[] {0.1, 0.5, 0.99}[rng.nextInt(3)];
                return new FuzzLayer("RandomZoom(" + factor + ")", () -> new RandomZoom(factor, seed), false, out, false,
                        true, null);
            }
            default -> {
                double[] fs = {0, 0.1, 0.5, 0.99};
                double hf = fs[rng.nextInt(4)], wf = fs[rng.nextInt(4)];
                return new FuzzLayer("RandomTranslation(" + hf + ", " + wf + ")",
                        () -> new RandomTranslation(hf, wf, seed), false, out, false, true, null);
            }
        }
    }

    /** A layer whose constructor must throw IllegalArgumentException. */
    static FuzzLayer badArguments(SplittableRandom rng) {
        double nan = Double.NaN;
        record Bad(String d, Supplier<Layer> f) {}
        Bad[] bad = {
            new Bad("Dense(0)", () -> new Dense(0)),
            new Bad("Dense(-3, relu)", () -> new Dense(-3, "relu")),
            new Bad("Dense(4, \"rleu\")", () -> new Dense(4, "rleu")),
            new Bad("Dense(4, \"\")", () -> new Dense(4, "")),
            new Bad("Conv2D(0, 3)", () -> new Conv2D(0, 3)),
            new Bad("Conv2D(2, 0)", () -> new Conv2D(2, 0)),
            new Bad("Conv2D(2, 3, stride 0)", () -> new Conv2D(2, 3, 0, "same", "relu")),
            new Bad("Conv2D(2, 3, padding \"full\")", () -> new Conv2D(2, 3, 1, "full", "relu")),
            new Bad("Conv2D(2, 3, padding null)", () -> new Conv2D(2, 3, 1, null, "relu")),
            new Bad("Conv2D(2, -1x3)", () -> new Conv2D(2, -1, 3, 1, 1, "valid", Activation.RELU)),
            new Bad("Conv2D(2, 3, \"gelu2\")", () -> new Conv2D(2, 3, "gelu2")), // gelu itself is known since issue 11
            new Bad("DepthwiseConv2D(3, depth_multiplier 0)", () -> new DepthwiseConv2D(3, 1, "same", 0, "relu")),
            new Bad("SeparableConv2D(0, 3)", () -> new SeparableConv2D(0, 3)),
            new Bad("SeparableConv2D(2, 3, padding \"full\")", () -> new SeparableConv2D(2, 3, 1, "full", "relu")),
            new Bad("MaxPooling2D(0)", () -> new MaxPooling2D(0)),
            new Bad("MaxPooling2D(2, stride -1)", () -> new MaxPooling2D(2, -1, "valid")),
            new Bad("MaxPooling2D(2, padding \"SAME \")", () -> new MaxPooling2D(2, 2, "SAME ")),
            new Bad("AveragePooling2D(2x0)", () -> new AveragePooling2D(2, 0, 1, 1, "valid")),
            new Bad("AveragePooling2D(2, padding \"\")", () -> new AveragePooling2D(2, 1, "")),
            new Bad("Dropout(1)", () -> new Dropout(1)),
            new Bad("Dropout(-0.1)", () -> new Dropout(-0.1)),
            new Bad("Dropout(NaN)", () -> new Dropout(nan)),
            new Bad("Dropout(Infinity)", () -> new Dropout(Double.POSITIVE_INFINITY)),
            new Bad("RandomRotation(0)", () -> new RandomRotation(0)),
            new Bad("RandomRotation(1.01)", () -> new RandomRotation(1.01)),
            new Bad("RandomRotation(NaN)", () -> new RandomRotation(nan)),
            new Bad("RandomZoom(0)", () -> new RandomZoom(0)),
            new Bad("RandomZoom(1)", () -> new RandomZoom(1)),
            new Bad("RandomZoom(-0.2)", () -> new RandomZoom(-0.2)),
            new Bad("RandomFlip(\"diagonal\")", () -> new RandomFlip("diagonal")),
            new Bad("RandomFlip(\"\")", () -> new RandomFlip("")),
            new Bad("RandomTranslation(-0.1, 0)", () -> new RandomTranslation(-0.1, 0)),
            new Bad("RandomTranslation(0, 1)", () -> new RandomTranslation(0, 1)),
            new Bad("RandomTranslation(NaN, 0.1)", () -> new RandomTranslation(nan, 0.1)),
            new Bad("Dense(3).withName(\"\")", () -> new Dense(3).withName("")),
            new Bad("Flatten().withName(null)", () -> new Flatten().withName(null)),
        };
        Bad b = bad[rng.nextInt(bad.length)];
        return new FuzzLayer(b.d(), b.f(), true, null, false, false, null);
    }

    private static String q(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }
}
