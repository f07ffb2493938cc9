package dev.sinew.fuzz;

import static dev.sinew.fuzz.Outcome.Kind.DIVERGED;
import static dev.sinew.fuzz.Outcome.Kind.IAE;
import static dev.sinew.fuzz.Outcome.Kind.IOE;
import static dev.sinew.fuzz.Outcome.Kind.ISE;
import static dev.sinew.fuzz.Outcome.Kind.OK;

import dev.sinew.TestUtil;
import dev.sinew.activations.Activation;
import dev.sinew.backend.Backends;
import dev.sinew.callbacks.Callback;
import dev.sinew.data.Dataset;
import dev.sinew.fuzz.FuzzData.Batch;
import dev.sinew.fuzz.FuzzData.Values;
import dev.sinew.layers.Augmentation;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Dropout;
import dev.sinew.layers.Input;
import dev.sinew.layers.Layer;
import dev.sinew.losses.Losses;
import dev.sinew.metrics.Metric;
import dev.sinew.metrics.Metrics;
import dev.sinew.models.FitOptions;
import dev.sinew.models.History;
import dev.sinew.models.NonFiniteLossException;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.SGD;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One fuzz case, fixed by its seed: the same random model built on the native and on the
 * reference backend, then the same random sequence of calls on both, in lockstep. Each call's
 * outcome is checked against an oracle (this class's own idea of the model: its shapes, whether it
 * is built, compiled, closed), and:
 * <ul>
 *   <li>only documented exception types, thrown by Sinew ({@link Outcome});</li>
 *   <li>both backends end the same way; where both return on finite data, their results agree
 *       (normwise relative error: {@link #TOL} for outputs and losses, {@link #TOL_TRAINED} for
 *       weights after training steps and gradients);</li>
 *   <li>a rejected call leaves the weights bit for bit as they were, and the model still predicts
 *       (and trains);</li>
 *   <li>after {@code close()} every call is an IllegalStateException that says "closed".</li>
 * </ul>
 * Also: a model that has seen many batches takes bit for bit the training step of its freshly
 * loaded copy (stale rows and state must not leak in); predict and evaluate in batches agree with
 * one batch.
 *
 * <p>Finite values that overflow (3e38) are accepted by Sinew (only NaN and infinity are
 * rejected), so a model trained on them may hold infinite or NaN weights: it is then "tainted",
 * its results are not compared, {@code trainOnBatch} may return a non-finite loss and {@code fit}
 * may end in a NonFiniteLossException (its documented behaviour), until new weights and a new
 * compile heal it. Training results are not compared either where float32 and double may
 * legitimately part ways: inputs or weights of denormals (units on relu's kink), cross-entropy
 * on outputs that are no probabilities (gradients up to 1e7), training that runs away on both
 * backends, and fits that stopped at different steps (random streams out of step).
 */
final class ModelFuzzCase {
    /** Predictions and losses: one forward pass, as NativeMatchesReferenceTest. */
    static final double TOL = 1e-4;
    /**
     * Weights after up to a few steps and gradients, normwise over all of them: float32 against
     * double accumulation, through saturated softmaxes and Dropout's 1/(1 - rate) (1000 at 0.999);
     * a wrong index, row or shard gives errors of 1e-2 and more.
     */
    static final double TOL_TRAINED = 1e-3;
    /**
     * The smallest denominator of a relative error; below it errors are absolute (1e-6 at TOL). A
     * lone output of 2e-5 or 1e-3, the sum of a dozen terms of 0.3 that cancel, carries float32
     * rounding of 1e-8 to 1e-7, which is no bug; a wrong row or index is off by far more.
     */
    static final double FLOOR = 1e-2;

    /** A failed property: the message holds the seed, the call, both outcomes and the calls before it. */
    static final class Failure extends AssertionError {
        Failure(String message) {
            super(message);
        }
    }

    /** How often a batch is damaged (NaN, ragged, wrong width, ...): a rejection is cheap, a comparison needs a success. */
    static final double DAMAGE = 0.25;

    final long seed;
    private final SplittableRandom rng;
    private final FuzzData data;
    private final Path dir;
    private final FuzzStats stats;
    /** Big cases: images up to 16x16, batches up to 96, large enough to be split into shards. */
    final boolean big;
    /** The native backend's thread count for a big case (uneven shards: 32 rows on 3 threads), else 0: the default. */
    final int threads;
    private final List<String> log = new ArrayList<>();
    private Sequential nat, ref;

    // The oracle: what the two models must be after the calls so far.
    private int[] inDims, dims;  // the Input's shape; the last layer's output shape (the Input's before any)
    private int inWidth;
    private int layers;          // layers after the Input
    private boolean weighted, built, compiled, closed, tainted, oneHot;
    private final List<String> names = new ArrayList<>(); // names given explicitly
    private final Map<Sequential, Layer> rejectedDense = new HashMap<>();
    private FuzzLayer rejectedDenseSpec;
    private Activation lastActivation; // of the last layer if it is a Dense or Conv2D, else null
    private boolean illConditioned;    // categorical_crossentropy on outputs that are no probabilities
    private final Map<Sequential, SGD> optimizers = new HashMap<>();
    private int stepsSinceSync, files;
    private boolean checkingUsability, streamsDiffer;
    private int metricCount;

    ModelFuzzCase(long seed, Path dir, FuzzStats stats) {
        this.seed = seed;
        this.rng = new SplittableRandom(seed);
        this.data = new FuzzData(rng);
        this.dir = dir;
        this.stats = stats;
        this.big = rng.nextInt(12) == 0;
        this.threads = big ? new int[] {2, 3, 4, 7}[rng.nextInt(4)] : 0;
    }

    /** The calls made so far, one per line. */
    String log() {
        return String.join("\n", log);
    }

    void run() throws IOException {
        try {
            nat = new Sequential(Backends.nativeBackend(), seed);
            ref = new Sequential(Backends.reference(), seed);
            buildStack();
            int ops = 6 + rng.nextInt(14);
            for (int i = 0; i < ops; i++) randomCall();
            if (!closed && rng.nextInt(3) == 0) saveAndLoad();
            close();
            int k = 2 + rng.nextInt(4);
            for (int i = 0; i < k; i++) randomCall();
        } finally {
            if (nat != null) nat.close();
            if (ref != null) ref.close();
        }
    }

    // ------------------------------------------------------------------ building

    private void buildStack() {
        if (rng.nextInt(4) == 0) call("add(Dense(2)) before the Input", Expect.ise("Input"), m -> m.add(new Dense(2)));
        if (rng.nextInt(6) == 0) call("predictOnBatch with no layers", Expect.ise(null), m -> m.predictOnBatch(new float[1][1]));
        if (rng.nextInt(6) == 0) call("summary() of an empty model", Expect.ok(), Sequential::summary);
        if (rng.nextInt(6) == 0) call("add(null)", Expect.iae(), m -> m.add(null));
        if (rng.nextInt(6) == 0) {
            int[][] bad = {{0}, {-2, 3}, {}, null, {4, 0, 1}};
            int[] d = bad[rng.nextInt(bad.length)];
            call("add(new Input(" + Arrays.toString(d) + "))", Expect.iae(), m -> m.add(new Input(d)));
        }
        int kind = rng.nextInt(10);
        int side = big ? 16 : 9;
        int[] in;
        if (kind < 4) in = new int[] {1 + rng.nextInt(big ? 64 : 13)};
        else if (kind < 8) in = new int[] {1 + rng.nextInt(side), 1 + rng.nextInt(side), 1 + rng.nextInt(3)};
        else if (kind < 9) in = new int[] {1 + rng.nextInt(5), 1 + rng.nextInt(5)};
        else in = new int[] {1 + rng.nextInt(3), 1 + rng.nextInt(3), 1 + rng.nextInt(3), 1 + rng.nextInt(2)};
        call("add(new Input" + Arrays.toString(in) + ")", Expect.ok(), m -> m.add(new Input(in)));
        inDims = dims = in;
        inWidth = size(in);
        if (rng.nextInt(8) == 0) call("a second Input", Expect.iae(), m -> m.add(new Input(3)));
        int target = 1 + rng.nextInt(big ? 6 : 5);
        for (int tries = 0; layers < target && tries < 14; tries++) addRandomLayer();
        if (rng.nextInt(5) != 0) {
            if (dims.length != 1) addLayer(FuzzLayer.flatten(dims), null);
            addLayer(FuzzLayer.dense(rng, dims, false), null);
            if (dims.length == 1 && dims[0] > 6) addLayer(FuzzLayer.dense(rng, new int[] {dims[0]}, false), null);
        }
    }

    private void addRandomLayer() {
        if (!rejectedDense.isEmpty() && dims.length == 1 && rng.nextInt(3) == 0) {
            // The same Dense instance, rejected before (image input), fits after a Flatten.
            Map<Sequential, Layer> retry = new HashMap<>(rejectedDense);
            rejectedDense.clear();
            Expect e = built || closed ? expectAdd(null) : Expect.ok();
            Outcome[] o = call("add the rejected Dense again", e, m -> m.add(retry.get(m)));
            if (o[0].ok()) accepted(rejectedDenseSpec, new int[] {rejectedDenseUnits()});
            return;
        }
        FuzzLayer spec = FuzzLayer.random(rng, dims, weighted, big);
        String name = null;
        if (rng.nextInt(10) == 0) name = !names.isEmpty() && rng.nextInt(3) == 0 ? names.get(rng.nextInt(names.size()))
                : "fz" + names.size();
        addLayer(spec, name);
    }

    private Expect expectAdd(FuzzLayer spec) {
        if (spec != null && spec.constructorRejects()) return Expect.iae();
        if (closed) return Expect.ise("closed");
        if (built) return Expect.ise("built");
        return spec == null || spec.accepted() ? Expect.ok() : Expect.iae();
    }

    private void addLayer(FuzzLayer spec, String name) {
        Expect e = expectAdd(spec);
        boolean duplicate = name != null && names.contains(name);
        if (duplicate && e.kinds().contains(OK)) e = Expect.iae();
        Map<Sequential, Layer> made = new HashMap<>();
        Outcome[] o = call("add(" + spec.description() + (name == null ? "" : ".withName(\"" + name + "\")") + ")", e, m -> {
            Layer l = spec.factory().get();
            if (name != null) l.withName(name);
            made.put(m, l);
            return m.add(l);
        });
        if (o[0].ok()) {
            if (name != null) names.add(name);
            accepted(spec, spec.outDims());
            if (rng.nextInt(10) == 0) call("add the same layer instance again", expectAddAgain(), m -> m.add(made.get(m)));
        } else if (spec.description().startsWith("Dense(") && made.size() == 2 && name == null && !built && !closed
                && rejectedDense.isEmpty()) {
            rejectedDense.putAll(made);
            rejectedDenseSpec = spec;
        }
    }

    private Expect expectAddAgain() {
        if (closed) return Expect.ise("closed");
        if (built) return Expect.ise("built");
        return Expect.iae();
    }

    private int rejectedDenseUnits() {
        return Integer.parseInt(rejectedDenseSpec.description().replaceAll("Dense\\((\\d+).*", "$1"));
    }

    private void accepted(FuzzLayer spec, int[] out) {
        dims = out;
        layers++;
        weighted |= spec.hasWeights();
        lastActivation = spec.activation();
    }

    private static int size(int[] d) {
        int s = 1;
        for (int v : d) s *= v;
        return s;
    }

    private int outWidth() {
        return size(dims);
    }

    // ------------------------------------------------------------------ the calls

    private void randomCall() {
        if (tainted && !closed && rng.nextBoolean()) heal();
        int r = rng.nextInt(100);
        if (!compiled && !closed && rng.nextInt(3) == 0) {
            compile();
            return;
        }
        if (r < 16) train();
        else if (r < 21) trainTensors();
        else if (r < 26) testOnBatch();
        else if (r < 31) computeGradients();
        else if (r < 40) predictOnBatch();
        else if (r < 44) predictTensor();
        else if (r < 49) predict();
        else if (r < 54) evaluate();
        else if (r < 62) fit();
        else if (r < 71) weights();
        else if (r < 76) compile();
        else if (r < 79) summary();
        else if (r < 83) saveAndLoad();
        else if (r < 86) addRandomLayer();
        else if (r < 91) sync();
        else if (r < 93) close();
        else if (r < 96) closedOrUnsavable();
        else if (r < 98) rename();
        else predictOnAnotherThread();
    }

    /** A layer in a model keeps its name (renaming it would break the model's unique names and its files). */
    private void rename() {
        if (layers == 0) return;
        int i = rng.nextInt(layers);
        boolean same = rng.nextInt(4) == 0;
        call("layers().get(" + i + ").withName(" + (same ? "its own name" : "\"renamed\"") + ")",
                same ? Expect.ok() : Expect.ise("already in a model"), m -> {
                    Layer l = m.layers().get(i);
                    return l.withName(same ? l.name() : "renamed");
                });
    }

    /** Models are not bound to the thread that made them (their memory is in shared arenas). */
    private void predictOnAnotherThread() {
        float[][] x = data.rows(1 + rng.nextInt(8), inWidth, Values.NORMAL, false);
        Outcome[] o = call("predictOnBatch on another thread", expectPrediction(false), m -> {
            Object[] result = new Object[1];
            Throwable[] error = new Throwable[1];
            Thread t = new Thread(() -> {
                try {
                    result[0] = m.predictOnBatch(x);
                } catch (Throwable e) {
                    error[0] = e;
                }
            });
            t.start();
            t.join();
            if (error[0] instanceof RuntimeException e) throw e;
            if (error[0] instanceof Error e) throw e;
            return result[0];
        });
        if (layers > 0 && !closed) built = true;
        comparePredictions(o, false, "predictOnBatch on another thread");
    }

    /** Both models get the native one's weights: comparisons restart from equal weights. */
    private void sync() {
        if (closed || layers == 0) return;
        if (!built) call("getWeights()", Expect.ok(), Sequential::getWeights);
        built = true;
        if (tainted || largest(nat) > 10) {
            heal(); // weights that ran away make even a forward pass ill-conditioned
            return;
        }
        List<float[]> w = nat.getWeights();
        call("setWeights(the native model's weights)", Expect.ok(), m -> {
            m.setWeights(w);
            return null;
        });
        checkWeightsEqual("after setWeights", w);
        stepsSinceSync = 0;
    }

    /** New ordinary weights and a fresh optimizer: a model that overflowed is usable and comparable again. */
    private void heal() {
        if (layers == 0) {
            tainted = false;
            return;
        }
        setWeights(Values.NORMAL, "heal: ");
        if (compiled) compileValid("heal: ");
        tainted = false;
        stepsSinceSync = 0;
    }

    private Batch batch(double damageOdds) {
        return data.batch(data.batchSize(big), inWidth, outWidth(), oneHot, damageOdds);
    }

    private Expect expectTraining(Batch b, boolean mayDiverge) {
        if (closed) return b.bad() ? Expect.of("closed", ISE, IAE) : Expect.ise("closed");
        if (!compiled) return b.bad() ? Expect.of(null, ISE, IAE) : Expect.ise("compile");
        if (b.bad()) return Expect.iae();
        return mayDiverge ? Expect.of(null, OK, DIVERGED) : Expect.ok(); // see afterTraining on divergence
    }

    private Expect expectPrediction(boolean bad) {
        if (closed) return bad ? Expect.of("closed", ISE, IAE) : Expect.ise("closed");
        if (layers == 0) return Expect.ise(null);
        return bad ? Expect.iae() : Expect.ok();
    }

    /** Whether results of a call on this batch must agree between the backends. */
    private boolean comparable(boolean extreme) {
        return !tainted && !extreme && !closed;
    }

    private void beforeTraining() {
        if (stepsSinceSync >= 3 && !tainted && built && !closed) sync();
    }

    private void train() {
        beforeTraining();
        Batch b = batch(DAMAGE);
        Outcome[] o = call("trainOnBatch(" + b.description() + ")", expectTraining(b, false), m -> m.trainOnBatch(b.x(), b.y()));
        afterTraining(o, b, "trainOnBatch");
    }

    private void afterTraining(Outcome[] o, Batch b, String what) {
        documented(what, o);
        if (!o[0].ok() && o[0].kind() != DIVERGED) return;
        stepsSinceSync++;
        if (b.extreme() || b.atKink() || illConditioned || streamsDiffer) tainted = true;
        if (!comparable(b.extreme())) return;
        // Ordinary data can make training diverge too (e.g. Dropout(0.999) scales by 1000, with
        // momentum): fine when it happens on both backends; one alone is a mismatch.
        boolean bn = blownUp(nat), br = blownUp(ref);
        if (bn && br) {
            tainted = true;
            stats.diverged++;
            return;
        }
        if (o[0].kind() == DIVERGED || o[1].kind() == DIVERGED) {
            fail(what, "training diverged on one backend only (weights beyond 1e6: native " + bn + ", reference " + br + ")", o);
        }
        if (o[0].value() instanceof float[] rn && o[1].value() instanceof float[] rr) {
            compareScores(what + " loss and metrics", rn, rr, b);
        }
        compareWeights(what);
    }

    private void trainTensors() {
        beforeTraining();
        Batch b = batch(0);
        int n = b.x().length;
        int kind = rng.nextInt(12);
        boolean alias = kind == 7 && inWidth == outWidth(); // x as its own target, as an autoencoder
        String what = switch (kind) {
            case 0 -> "x tensor NaN";
            case 1 -> "x tensor rank 1";
            case 2 -> "x tensor of the wrong row length";
            case 3 -> "y tensor with one row more";
            case 4 -> "x tensor null";
            case 5 -> "x tensor closed";
            case 6 -> "y tensor closed";
            default -> alias ? "one tensor as x and y" : "x tensor " + (kind % 2 == 0 ? "flat" : "shaped as the Input");
        };
        boolean bad = kind < 7;
        if (kind == 0) b.x()[rng.nextInt(n)][rng.nextInt(inWidth)] = Float.NaN;
        Batch used = alias ? new Batch(b.description(), b.x(), b.x(), false, false, b.xValues(), b.xValues()) : b;
        Expect e = expectTraining(used.withBad(bad), false);
        int[] shaped = shapedInput(n, kind);
        Outcome[] o = call("trainOnBatch(tensors: " + b.description() + ", " + what + ")", e, m -> {
            try (Tensor tx = kind == 4 ? null : kind == 1 ? Tensor.of(TestUtil.flatten(b.x()), n * inWidth)
                    : kind == 2 ? Tensor.zeros(n, inWidth + 1) : Tensor.of(TestUtil.flatten(b.x()), shaped);
                    Tensor ty = alias ? null : kind == 3 ? Tensor.zeros(n + 1, outWidth()) : Tensor.fromRows(b.y())) {
                if (kind == 5) tx.close();
                if (kind == 6) ty.close();
                return m.trainOnBatch(tx, alias ? tx : ty);
            }
        });
        afterTraining(o, used, "trainOnBatch(tensors)");
    }

    /** (n, features) or (n, Input dims...), for a tensor batch. */
    private int[] shapedInput(int n, int kind) {
        if (kind % 2 == 0) return new int[] {n, inWidth};
        int[] d = new int[inDims.length + 1];
        d[0] = n;
        System.arraycopy(inDims, 0, d, 1, inDims.length);
        return d;
    }

    private void testOnBatch() {
        Batch b = batch(DAMAGE);
        Outcome[] o = call("testOnBatch(" + b.description() + ")", expectTraining(b, false), m -> m.testOnBatch(b.x(), b.y()));
        documented("testOnBatch", o);
        if (o[0].ok() && comparable(b.extreme())) {
            compareScores("testOnBatch", (float[]) o[0].value(), (float[]) o[1].value(), b);
        }
    }

    private void computeGradients() {
        beforeTraining();
        Batch b = batch(DAMAGE);
        Outcome[] o = call("computeGradients(" + b.description() + ")", expectTraining(b, false),
                m -> m.computeGradients(b.x(), b.y()));
        // A training pass: dropout masks and augmentation maps must be the same draws on both.
        if (o[0].ok() && comparable(b.extreme()) && !streamsDiffer) {
            compare("computeGradients loss", new float[] {((Double) o[0].value()).floatValue()},
                    new float[] {((Double) o[1].value()).floatValue()});
            if (!b.atKink() && !illConditioned) compareAll("computeGradients: gradients", nat.getGradients(), ref.getGradients());
        }
    }

    private void predictOnBatch() {
        Batch b = batch(DAMAGE);
        Outcome[] o = call("predictOnBatch(" + b.description() + ")", expectPrediction(b.xBad()), m -> m.predictOnBatch(b.x()));
        if (layers > 0 && !closed) built = true;
        comparePredictions(o, b.xExtreme(), "predictOnBatch");
    }

    private void predictTensor() {
        Batch b = batch(0);
        int n = b.x().length, kind = rng.nextInt(9);
        boolean bad = kind < 3 || kind == 8;
        if (kind == 0) b.x()[rng.nextInt(n)][rng.nextInt(inWidth)] = Float.POSITIVE_INFINITY;
        int[] shaped = shapedInput(n, kind);
        Outcome[] o = call("predictOnBatch(tensor: " + b.description() + (kind == 0 ? ", +Inf" : kind == 1
                ? ", rank 1" : kind == 2 ? ", wrong row length" : kind == 8 ? ", closed" : "") + ")", expectPrediction(bad), m -> {
                    try (Tensor tx = kind == 1 ? Tensor.of(TestUtil.flatten(b.x()), n * inWidth)
                            : kind == 2 ? Tensor.zeros(n, inWidth + 2) : Tensor.of(TestUtil.flatten(b.x()), shaped)) {
                        if (kind == 8) tx.close();
                        return m.predictOnBatch(tx);
                    }
                });
        if (layers > 0 && !closed) built = true;
        comparePredictions(o, b.xExtreme(), "predictOnBatch(tensor)");
    }

    private void predict() {
        Batch b = batch(DAMAGE);
        int bs = rng.nextInt(8) == 0 ? -rng.nextInt(2) : 1 + rng.nextInt(b.x() == null ? 4 : b.x().length + 3);
        Outcome[] o = call("predict(" + b.description() + ", batch " + bs + ")", expectPrediction(b.xBad() || bs < 1),
                m -> m.predict(b.x(), bs));
        if (layers > 0 && !closed) built = true;
        comparePredictions(o, b.xExtreme(), "predict");
        if (o[0].ok() && comparable(b.xExtreme())) {
            // Rows are independent: batches of bs give what one batch gives (shards and GEMM blocking may round differently).
            compare("native predict in batches of " + bs + " vs predictOnBatch", TestUtil.flatten((float[][]) o[0].value()),
                    TestUtil.flatten(nat.predictOnBatch(b.x())));
        }
    }

    private void comparePredictions(Outcome[] o, boolean extreme, String what) {
        if (!o[0].ok() || !comparable(extreme)) return;
        float[][] pn = (float[][]) o[0].value(), pr = (float[][]) o[1].value();
        compare(what, TestUtil.flatten(pn), TestUtil.flatten(pr));
    }

    private void evaluate() {
        Batch b = batch(DAMAGE);
        int bs = rng.nextInt(8) == 0 ? -rng.nextInt(2) : 1 + rng.nextInt(8);
        Batch checked = bs < 1 ? b.withBad(true) : b;
        boolean dataset = rng.nextInt(4) == 0;
        Outcome[] o = call("evaluate(" + (dataset ? "Dataset of " : "") + b.description() + ", batch " + bs + ")",
                expectTraining(checked, false),
                m -> dataset ? m.evaluate(new Dataset(b.x(), b.y()), bs) : m.evaluate(b.x(), b.y(), bs));
        documented("evaluate", o);
        if (o[0].ok() && comparable(b.extreme())) {
            compareScores("evaluate", (float[]) o[0].value(), (float[]) o[1].value(), b);
            // Batch by batch, weighted by rows: the same as one batch of all rows.
            compareScores("native evaluate in batches of " + bs + " vs testOnBatch", (float[]) o[0].value(),
                    nat.testOnBatch(b.x(), b.y()), b);
        }
    }

    private void fit() {
        beforeTraining();
        int rows = 1 + rng.nextInt(big ? 48 : 16);
        Batch b = data.batch(rows, inWidth, outWidth(), oneHot, 0.2);
        // At most two steps an epoch: weights are compared after a few steps, not after dozens.
        int bs = rng.nextInt(10) == 0 ? 0 : (rows + 1) / 2 + rng.nextInt(rows / 2 + 4);
        int epochs = rng.nextInt(10) == 0 ? 0 : 1 + rng.nextInt(2);
        double split = rng.nextInt(4) == 0 ? new double[] {0.25, 0.5, 0.99, 1.0}[rng.nextInt(4)] : 0;
        Batch val = split == 0 && rng.nextInt(4) == 0 ? data.batch(1 + rng.nextInt(6), inWidth, outWidth(), oneHot, 0.3) : null;
        boolean stop = rng.nextBoolean(), shuffle = rng.nextInt(4) != 0;
        // A callback: none, a null one, one that closes the model after the first batch, one that
        // predicts (a batch larger than any before, so buffers are reallocated mid-fit), one that
        // stops training after the first epoch.
        int cb = rng.nextInt(12);
        String callback = cb < 7 ? "none" : new String[] {"null", "close", "predict", "stop", "stop"}[cb - 7];
        if (callback.equals("close") && (tainted || b.extreme() || illConditioned)) callback = "none"; // may diverge first
        float[][] px = data.rows(1 + rng.nextInt(big ? 120 : 50), inWidth, Values.NORMAL, false);
        boolean badOptions = bs < 1 || epochs < 1 || split >= 1 || callback.equals("null");
        boolean badData = b.bad() || (val != null && val.bad());
        int trainRows = rows;
        if (!badOptions && !b.bad() && split > 0) {
            trainRows = (int) (rows * (1 - split)); // as Trainer: the split must leave samples on both sides
            badData |= trainRows < 1 || trainRows >= rows;
        }
        Expect e;
        if (badOptions) e = Expect.iae(); // FitOptions rejects them before the model sees them
        else e = expectTraining(b.withBad(badData), true);
        if (e.kinds().contains(DIVERGED) && stop) e = Expect.ok(); // OnNaN.STOP: a History with a stop reason
        boolean closes = callback.equals("close") && e.kinds().contains(OK);
        if (closes) {
            // After the first batch: the next batch, or the validation, finds the model closed.
            int steps = (trainRows + bs - 1) / bs;
            e = steps > 1 || epochs > 1 || split > 0 || val != null ? Expect.ise("closed") : Expect.ok();
        }
        String what = String.format("fit(%s, batch %d, epochs %d, split %s, validation %s, onNaN %s, callback %s)",
                b.description(), bs, epochs, split, val == null ? "none" : val.description(), stop ? "STOP" : "THROW", callback);
        String kind = callback;
        boolean dataset = rng.nextInt(4) == 0;
        if (dataset) what = what.replace("fit(", "fit(Dataset of ");
        Outcome[] o = call(what, e, m -> {
            FitOptions.Builder fo = FitOptions.builder().batchSize(bs).epochs(epochs).verbose(0)
                    .onNaN(stop ? FitOptions.OnNaN.STOP : FitOptions.OnNaN.THROW).shuffle(shuffle);
            if (split > 0) fo.validationSplit(split);
            if (val != null) fo.validationData(val.x(), val.y());
            if (!kind.equals("none")) fo.callbacks(callback(kind, m, px));
            return dataset ? m.fit(new Dataset(b.x(), b.y()), fo.build()) : m.fit(b.x(), b.y(), fo.build());
        });
        if (closes) {
            closed = true;
            return;
        }
        if (!sameSteps(o[0], o[1])) desync();
        afterTraining(o, b, "fit");
        if (o[0].ok() && o[1].ok() && !tainted && !b.extreme()) {
            History hn = (History) o[0].value(), hr = (History) o[1].value();
            if (hn.stopReason() != null || hr.stopReason() != null) {
                fail(what, "fit stopped on one backend only: native " + hn.stopReason() + ", reference " + hr.stopReason(), o);
            }
        }
    }

    private static Callback callback(String kind, Sequential m, float[][] px) {
        return switch (kind) {
            case "null" -> null;
            case "close" -> new Callback() {
                @Override
                public void onBatchEnd(int batch, Map<String, Double> logs) {
                    m.close();
                }
            };
            case "predict" -> new Callback() {
                @Override
                public void onBatchEnd(int batch, Map<String, Double> logs) {
                    m.predictOnBatch(px);
                }
            };
            default -> new Callback() {
                @Override
                public void onEpochEnd(int epoch, Map<String, Double> logs) {
                    m.setStopTraining(true);
                }
            };
        };
    }

    /**
     * What Sinew documents for results, whatever the values (overflowing ones included): loss then
     * one value per metric; a metric is a fraction of rows, in [0, 1], even of NaN predictions; a
     * NonFiniteLossException names the epoch and batch where the loss stopped being finite; with
     * OnNaN.STOP the History keeps only the epochs before and says why it stopped.
     */
    private void documented(String what, Outcome[] o) {
        for (Outcome x : o) {
            if (x.value() instanceof float[] r) {
                if (r.length != 1 + metricCount) fail(what, "returned " + r.length + " values, not loss and " + metricCount + " metrics", o);
                for (int i = 1; i < r.length; i++) {
                    if (!(r[i] >= 0 && r[i] <= 1)) fail(what, "metric " + i + " is " + r[i] + ", not a fraction of rows", o);
                }
            }
            if (x.error() instanceof NonFiniteLossException e) {
                if (e.epoch() < 1 || e.batch() < 1 || !e.getMessage().contains("loss became")) {
                    fail(what, "a NonFiniteLossException that does not say where the loss diverged", o);
                }
            }
            if (x.value() instanceof History h && h.stopReason() != null && !h.stopReason().contains("loss became")) {
                fail(what, "a History stopped for another reason: " + h.stopReason(), o);
            }
        }
    }

    /** Whether two fits ran the same number of steps (a diverging one stops at its first non-finite loss). */
    private static boolean sameSteps(Outcome n, Outcome r) {
        if (n.kind() != r.kind()) return false;
        if (n.error() instanceof NonFiniteLossException en && r.error() instanceof NonFiniteLossException er) {
            return en.epoch() == er.epoch() && en.batch() == er.batch();
        }
        if (n.value() instanceof History hn && r.value() instanceof History hr) {
            return hn.epochs() == hr.epochs() && java.util.Objects.equals(hn.stopReason(), hr.stopReason());
        }
        return true;
    }

    /**
     * After fits that ran different numbers of steps (overflow stopped one earlier), the models'
     * random streams differ: Dropout's mask counters are set equal again; augmentation's
     * generators cannot be, so with augmentation training results are compared no more.
     */
    private void desync() {
        List<Layer> ln = nat.layers(), lr = ref.layers();
        for (int i = 0; i < ln.size(); i++) {
            if (ln.get(i) instanceof Dropout dn && lr.get(i) instanceof Dropout dr) {
                long step = Math.max(dn.step(), dr.step());
                dn.setStep(step);
                dr.setStep(step);
            }
            if (ln.get(i) instanceof Augmentation) streamsDiffer = true;
        }
    }

    // ------------------------------------------------------------------ weights

    private void weights() {
        if (closed || layers == 0) {
            call("getWeights()", closed ? Expect.ise("closed") : Expect.ise(null), Sequential::getWeights);
            return;
        }
        if (!built) {
            call("getWeights()", Expect.ok(), Sequential::getWeights);
            built = true;
        }
        int k = rng.nextInt(10);
        if (k < 3) {
            Outcome[] o = call("getWeights()", Expect.ok(), Sequential::getWeights);
            @SuppressWarnings("unchecked")
            List<float[]> wn = (List<float[]>) o[0].value(), wr = (List<float[]>) o[1].value();
            if (!tainted) compareAll("getWeights", wn, wr);
            // The arrays are copies: changing them changes nothing.
            List<float[]> before = nat.getWeights();
            for (float[] a : wn) Arrays.fill(a, 7f);
            checkEqual(nat, "getWeights after writing into its result", before, nat.getWeights());
        } else if (k < 5) {
            setWeights(new Values[] {Values.NORMAL, Values.ZEROS, Values.DENORMAL}[rng.nextInt(3)], "");
        } else if (k < 6) {
            setWeights(Values.EXTREME, "");
        } else {
            badWeights();
        }
    }

    private void setWeights(Values v, String why) {
        List<float[]> w = new ArrayList<>();
        for (Layer l : nat.layers()) {
            for (Shape s : l.weightShapes()) {
                // Kernels of variance 1/fan-in (as Keras's LeCun initialisers), biases up to 0.1.
                double scale = s.rank() == 1 ? 0.1 : Math.sqrt(3.0 * s.dim(s.rank() - 1) / s.size());
                w.add(data.weights(Math.toIntExact(s.size()), v, scale));
            }
        }
        Outcome[] o = call(why + "setWeights(" + v + ")", Expect.ok(), m -> {
            m.setWeights(w);
            return null;
        });
        if (o[0].ok()) {
            checkWeightsEqual("after setWeights", w);
            stepsSinceSync = 0;
            // Denormal weights put every unit at z = (a denormal), on relu's kink (see Batch.atKink).
            if (v == Values.EXTREME || v == Values.DENORMAL) tainted = true;
        }
    }

    private void badWeights() {
        List<float[]> good = nat.getWeights();
        List<float[]> w = new ArrayList<>();
        for (float[] a : good) w.add(a.clone());
        String what;
        int k = rng.nextInt(6);
        if (w.isEmpty() && k > 1) k = 1;
        switch (k) {
            case 0 -> {
                w = null;
                what = "null";
            }
            case 1 -> {
                w.add(new float[3]);
                what = "one array too many";
            }
            case 2 -> {
                w.remove(w.size() - 1);
                what = "one array too few";
            }
            case 3 -> {
                int i = rng.nextInt(w.size());
                w.set(i, null);
                what = "array " + i + " null";
            }
            case 4 -> {
                int i = rng.nextInt(w.size());
                w.set(i, new float[w.get(i).length + (rng.nextBoolean() ? 1 : -1)]);
                what = "array " + i + " of the wrong length";
            }
            default -> {
                int i = rng.nextInt(w.size());
                float[] a = w.get(i);
                float bad = new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}[rng.nextInt(3)];
                a[rng.nextInt(a.length)] = bad;
                what = "array " + i + " holding " + bad;
            }
        }
        List<float[]> arg = w;
        call("setWeights(" + what + ")", Expect.iae(), m -> {
            m.setWeights(arg);
            return null;
        });
    }

    // ------------------------------------------------------------------ compile, summary, files, close

    private void compile() {
        if (rng.nextInt(5) == 0) compileInvalid();
        else compileValid("");
    }

    private void compileValid(String why) {
        String drawn = new String[] {"mean_squared_error", "mse", "categorical_crossentropy", " Categorical_Crossentropy"}[rng.nextInt(4)];
        boolean probabilities = lastActivation == Activation.SOFTMAX || lastActivation == Activation.SIGMOID;
        // Mostly mean squared error where cross-entropy would be ill-conditioned (see illConditioned).
        String loss = !probabilities && drawn.toLowerCase().contains("categorical") && rng.nextInt(4) != 0 ? "mse" : drawn;
        String[] metrics = new String[][] {{}, {"accuracy"}, {"acc", "categorical_accuracy"}, {"categorical_accuracy"}}[rng.nextInt(4)];
        double lr = new double[] {0.01, 0.05, 0.1}[rng.nextInt(3)];
        double momentum = rng.nextInt(3) == 0 ? 0.9 : 0;
        boolean nesterov = momentum > 0 && rng.nextBoolean();
        boolean objects = rng.nextInt(4) == 0, sameOptimizer = rng.nextInt(5) == 0 && !optimizers.isEmpty();
        Expect e = closed ? Expect.ise("closed") : layers == 0 ? Expect.ise(null) : Expect.ok();
        Outcome[] o = call(why + "compile(" + loss + ", SGD(" + lr + ", " + momentum + ", " + nesterov + "), "
                + Arrays.toString(metrics) + (objects ? ", as objects" : "") + (sameOptimizer ? ", the same SGD again" : "")
                + ")", e, m -> {
                    SGD sgd = sameOptimizer ? optimizers.get(m) : new SGD(lr, momentum, nesterov);
                    optimizers.put(m, sgd);
                    if (objects) {
                        m.compile(Losses.of(loss), sgd, Arrays.stream(metrics).map(Metrics::of).toArray(Metric[]::new));
                    } else {
                        m.compile(loss, sgd, metrics);
                    }
                    return null;
                });
        if (o[0].ok()) {
            compiled = built = true;
            metricCount = metrics.length;
            oneHot = loss.toLowerCase().contains("categorical");
            // Cross-entropy's gradient -t / max(p, 1e-7) on outputs that can be 0 or negative
            // (linear, relu, tanh) reaches 1e7: such training runs away, and two backends' rounding
            // runs away differently. Softmax is fused with the loss; sigmoid stays in (0, 1).
            illConditioned = oneHot && lastActivation != Activation.SOFTMAX && lastActivation != Activation.SIGMOID;
        }
    }

    private void compileInvalid() {
        int k = rng.nextInt(7);
        String what = new String[] {"loss \"mean_squared_eror\"", "loss null", "metric \"acuracy\"", "metric null",
                "optimizer null", "Loss object null", "Metric object null"}[k];
        // Names are parsed before the model is looked at: a closed model may say either.
        Expect e = closed ? Expect.of("closed", ISE, IAE) : Expect.iae();
        call("compile(" + what + ")", e, m -> {
            switch (k) {
                case 0 -> m.compile("mean_squared_eror", new SGD(0.1));
                case 1 -> m.compile((String) null, new SGD(0.1));
                case 2 -> m.compile("mse", new SGD(0.1), "acuracy");
                case 3 -> m.compile("mse", new SGD(0.1), (String) null);
                case 4 -> m.compile("mse", (dev.sinew.optimizers.Optimizer) null, "accuracy");
                case 5 -> m.compile((dev.sinew.losses.Loss) null, new SGD(0.1));
                default -> m.compile(Losses.of("mse"), new SGD(0.1), (Metric) null);
            }
            return null;
        });
    }

    private static String withoutFirstLine(Object summary) {
        String s = String.valueOf(summary);
        return s.substring(s.indexOf('\n') + 1);
    }

    private void summary() {
        Outcome[] o = call("summary()", closed ? Expect.ise("closed") : Expect.ok(), Sequential::summary);
        // The first line names the model, and each model has its own name.
        if (o[0].ok() && !withoutFirstLine(o[0].value()).equals(withoutFirstLine(o[1].value()))) {
            fail("summary()", "the two backends' summaries differ:\n" + o[0].value() + "\n" + o[1].value(), o);
        }
    }

    private Path file(String stem) {
        return dir.resolve(stem + "-" + seed + "-" + files++ + ".zip");
    }

    /** Saves both models, loads each back (and the native one's onto the reference backend), compares. */
    private void saveAndLoad() {
        Path pn = file("native"), pr = file("reference");
        boolean finite = !closed && layers > 0 && allFinite();
        Expect e = closed ? Expect.ise("closed") : layers == 0 ? Expect.ise(null)
                // A model with non-finite weights: saving may be refused (issue 9, A3) or not.
                : finite ? Expect.ok() : Expect.of(null, OK, IOE, ISE, IAE);
        Outcome[] o = call("save", e, m -> {
            m.save(m == nat ? pn : pr);
            return null;
        });
        if (layers > 0 && !closed) built = true;
        if (!o[0].ok() || !o[1].ok()) return;
        stats.roundTrips++;
        float[][] x = data.rows(1 + rng.nextInt(6), inWidth, Values.NORMAL, false);
        // The native copy last: it may take a training step in lockstep with both models.
        roundTrip(pr, ref, Backends.reference(), x, finite, null);
        if (finite && !tainted) roundTrip(pn, nat, Backends.reference(), x, true, nat.predictOnBatch(x));
        roundTrip(pn, nat, Backends.nativeBackend(), x, finite, null);
    }

    /**
     * Loads {@code path} onto {@code backend}; with {@code expected} null it must predict bit for
     * bit as {@code original} and hold the same weights, otherwise within TOL of {@code expected}.
     */
    private void roundTrip(Path path, Sequential original, dev.sinew.backend.Backend backend, float[][] x, boolean finite,
            float[][] expected) {
        String what = "load(" + path.getFileName() + ") onto " + backend.name();
        log.add(what);
        Sequential loaded;
        try {
            loaded = Sequential.load(path, backend);
        } catch (Throwable t) {
            Outcome lo = Outcome.of(t);
            stats.outcome(lo);
            // A file with non-finite weights may fail to load (issue 9, A3), but only with an IOException.
            if (!finite && lo.kind() == IOE) return;
            fail(what, "loading a file save() wrote failed", lo);
            return;
        }
        try (loaded) {
            stats.outcome(Outcome.of((Object) null));
            if (expected == null) {
                checkEqual(original, what + ": weights", original.getWeights(), loaded.getWeights());
                float[][] a = original.predictOnBatch(x), b = loaded.predictOnBatch(x);
                for (int i = 0; i < a.length; i++) {
                    if (!Arrays.equals(a[i], b[i])) {
                        fail(what, "predictions differ from the saved model's at row " + i + ": " + Arrays.toString(a[i])
                                + " vs " + Arrays.toString(b[i]));
                    }
                }
                if (!original.summary().equals(loaded.summary())) {
                    fail(what, "summary differs:\n" + original.summary() + "\n" + loaded.summary());
                }
                if (original.isCompiled() != loaded.isCompiled() || !original.metricsNames().equals(loaded.metricsNames())) {
                    fail(what, "compile settings differ: " + original.metricsNames() + " vs " + loaded.metricsNames());
                }
            } else {
                compare(what + " predictions vs native", TestUtil.flatten(loaded.predictOnBatch(x)), TestUtil.flatten(expected));
            }
            if (loaded.isCompiled() && finite) {
                float[][] y = oneHot ? data.oneHot(x.length, outWidth()) : data.rows(x.length, outWidth(), Values.NORMAL, true);
                float[] r = loaded.trainOnBatch(x, y);
                if (!tainted && !Float.isFinite(r[0])) fail(what, "the loaded model trains to a non-finite loss " + r[0]);
                if (original == nat && expected == null && stateless()) sameStepAsFreshCopy(what, loaded, x, y, r);
            }
            loaded.close();
            if (loaded.offHeapBytes() != 0) fail(what, "a closed loaded model still holds " + loaded.offHeapBytes() + " bytes");
        }
    }

    /**
     * Whether a training step depends on nothing but weights and data: plain SGD (momentum keeps
     * a velocity that a file does not), no Dropout masks or augmentation maps drawn from a stream.
     */
    private boolean stateless() {
        if (!compiled || tainted || optimizers.get(nat) == null || optimizers.get(nat).momentum() != 0) return false;
        for (Layer l : nat.layers()) if (l instanceof Dropout || l instanceof Augmentation) return false;
        return true;
    }

    /**
     * The model, after all the batches it has seen (buffers sized for its largest, holding stale
     * rows), takes the step its freshly loaded copy took: bit for bit the same loss and weights. A
     * kernel or layer reading rows beyond the batch, or state left from an earlier call, differs.
     */
    private void sameStepAsFreshCopy(String what, Sequential loaded, float[][] x, float[][] y, float[] fresh) {
        stats.freshSteps++;
        Batch b = new Batch("the loaded copy's step", x, y, false, false, Values.NORMAL, Values.NORMAL);
        Outcome[] o = call("trainOnBatch(" + x.length + " rows: the step the loaded copy took)", Expect.ok(),
                m -> m.trainOnBatch(x, y));
        if (!Arrays.equals(fresh, (float[]) o[0].value())) {
            fail(what, "the same step on the used model and its fresh copy: " + Arrays.toString(o[0].value() instanceof float[] f
                    ? f : null) + " vs " + Arrays.toString(fresh));
        }
        checkEqual(nat, what + ": weights after the same step as the fresh copy", loaded.getWeights(), nat.getWeights());
        afterTraining(o, b, "trainOnBatch (the loaded copy's step)");
    }

    /** Whether training has run away: a weight is beyond 1e6 or not finite. */
    private static boolean blownUp(Sequential m) {
        return !(largest(m) <= 1e6);
    }

    /** The largest weight magnitude (NaN if any weight is NaN). */
    private static double largest(Sequential m) {
        double max = 0;
        for (float[] a : m.getWeights()) {
            for (float v : a) {
                if (Float.isNaN(v)) return Double.NaN;
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }

    private boolean allFinite() {
        for (float[] a : nat.getWeights()) for (float v : a) if (!Float.isFinite(v)) return false;
        for (float[] a : ref.getWeights()) for (float v : a) if (!Float.isFinite(v)) return false;
        return true;
    }

    /** Saving where no file can go, loading what is not there, null arguments. */
    private void closedOrUnsavable() {
        int k = rng.nextInt(6);
        if (k == 3) {
            Expect e = closed ? Expect.ise("closed") : Expect.iae();
            call("save(null)", e, m -> {
                m.save(null);
                return null;
            });
            if (layers > 0 && !closed) built = true;
            return;
        }
        if (k == 4) {
            boolean fit = rng.nextBoolean();
            Expect e = closed ? Expect.of("closed", ISE, IAE) : !compiled ? Expect.of(null, ISE, IAE) : Expect.iae();
            call(fit ? "fit((Dataset) null, options)" : "evaluate((Dataset) null, 8)", e,
                    m -> fit ? m.fit((Dataset) null, FitOptions.builder().verbose(0).build()) : m.evaluate((Dataset) null, 8));
            return;
        }
        if (k == 5) {
            log.add("load(null)");
            Outcome lo;
            try (Sequential s = Sequential.load(null)) {
                lo = Outcome.of(s);
            } catch (Throwable t) {
                lo = Outcome.of(t);
            }
            stats.outcome(lo);
            if (lo.kind() != IAE && lo.kind() != IOE) {
                fail("load(null)", "expected an IllegalArgumentException or IOException", lo);
            }
            return;
        }
        if (k == 0) {
            Path sub = dir.resolve("dir-" + seed + "-" + files++);
            try {
                Files.createDirectories(sub);
                Files.writeString(sub.resolve("keep"), "x");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            Expect e = closed ? Expect.ise("closed") : layers == 0 ? Expect.ise(null) : Expect.of(null, IOE);
            call("save(onto a directory)", e, m -> {
                m.save(sub);
                return null;
            });
            if (layers > 0 && !closed) built = true;
        } else if (k == 1) {
            Path missing = dir.resolve("missing-" + seed + ".zip");
            log.add("load(a missing file)");
            Outcome lo;
            try (Sequential s = Sequential.load(missing)) {
                lo = Outcome.of(s);
            } catch (Throwable t) {
                lo = Outcome.of(t);
            }
            stats.outcome(lo);
            if (lo.kind() != IOE) fail("load(a missing file)", "expected an IOException", lo);
        } else {
            close();
        }
    }

    private void close() {
        call("close()", Expect.ok(), m -> {
            m.close();
            return null;
        });
        closed = true;
        if (rng.nextBoolean()) call("close() again", Expect.ok(), m -> {
            m.close();
            return null;
        });
        for (Sequential m : new Sequential[] {nat, ref}) {
            if (!m.isClosed() || m.offHeapBytes() != 0) {
                fail("close()", m.backend().name() + " model: isClosed " + m.isClosed() + ", off-heap bytes " + m.offHeapBytes());
            }
        }
    }

    // ------------------------------------------------------------------ checks

    /** After a rejected call: the model still predicts (and trains), and both backends agree. */
    private void usableAfter(String what) {
        // Not yet built: a predict would build it and end the adding of layers; later calls show it works.
        if (closed || layers == 0 || !built || checkingUsability) return;
        checkingUsability = true;
        try {
            float[][] x = data.rows(1 + rng.nextInt(5), inWidth, Values.NORMAL, false);
            Outcome[] o = call("predictOnBatch after " + what, Expect.ok(), m -> m.predictOnBatch(x));
            built = true;
            comparePredictions(o, false, "predictOnBatch after a rejected call");
            if (compiled && rng.nextInt(3) == 0) {
                beforeTraining();
                float[][] y = oneHot ? data.oneHot(x.length, outWidth()) : data.rows(x.length, outWidth(), Values.NORMAL, true);
                Batch b = new Batch("", x, y, false, false, Values.NORMAL, Values.NORMAL);
                afterTraining(call("trainOnBatch after " + what, Expect.ok(), m -> m.trainOnBatch(x, y)), b,
                        "trainOnBatch after a rejected call");
            }
        } finally {
            checkingUsability = false;
        }
    }

    @FunctionalInterface
    interface Call {
        Object apply(Sequential m) throws Exception;
    }

    /** Runs {@code f} on both models and checks the outcomes against {@code expect}; returns {native, reference}. */
    private Outcome[] call(String what, Expect expect, Call f) {
        log.add(what);
        if (closed) stats.closedCalls++;
        boolean snapshot = built && !closed && layers > 0;
        List<float[]> wn = snapshot ? nat.getWeights() : null, wr = snapshot ? ref.getWeights() : null;
        Outcome on = run(nat, f), or = run(ref, f);
        stats.outcome(on);
        stats.outcome(or);
        for (Outcome o : new Outcome[] {on, or}) {
            String side = o == on ? "native" : "reference";
            if (o.kind() == Outcome.Kind.UNDOCUMENTED) fail(what, side + " threw an undocumented exception", on, or);
            if (!expect.matches(o)) fail(what, side + " ended as " + o.kind() + ", expected " + expect, on, or);
        }
        boolean bothFine = (on.ok() || on.kind() == DIVERGED) && (or.ok() || or.kind() == DIVERGED);
        if (on.kind() != or.kind() && !bothFine) fail(what, "native and reference ended differently", on, or);
        if (nat.isClosed() != ref.isClosed()) fail(what, "only one model is closed now", on, or);
        // A callback may have closed the models (fit): that call's outcome is checked, nothing more.
        if (on.rejected() && snapshot && !nat.isClosed()) {
            checkEqual(nat, what + " (rejected)", wn, nat.getWeights());
            checkEqual(ref, what + " (rejected)", wr, ref.getWeights());
        }
        if (on.rejected() && !nat.isClosed()) usableAfter(what);
        return new Outcome[] {on, or};
    }

    private static Outcome run(Sequential m, Call f) {
        try {
            return Outcome.of(f.apply(m));
        } catch (Throwable t) {
            return Outcome.of(t);
        }
    }

    private void checkWeightsEqual(String what, List<float[]> expected) {
        checkEqual(nat, what, expected, nat.getWeights());
        checkEqual(ref, what, expected, ref.getWeights());
    }

    private void checkEqual(Sequential m, String what, List<float[]> a, List<float[]> b) {
        if (a.size() != b.size()) fail(what, m.backend().name() + ": " + a.size() + " weight arrays, then " + b.size());
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                fail(what, m.backend().name() + ": weight array " + i + " differs (must be equal bit for bit)");
            }
        }
    }

    private void compareWeights(String what) {
        compareAll(what + ": weights after " + stepsSinceSync + " steps", nat.getWeights(), ref.getWeights());
    }

    /**
     * Weights or gradients, as one vector (the model's flat parameter tensor), within
     * {@link #TOL_TRAINED}: sums such as a softmax layer's bias gradient cancel to nearly zero, so
     * a single array may hold nothing but rounding noise.
     */
    private void compareAll(String what, List<float[]> n, List<float[]> r) {
        float[] fn = concat(n), fr = concat(r);
        double e = check(what, fn, fr, TOL_TRAINED);
        stats.trainedError(e, what + ", seed " + seed);
        if (!(e <= TOL_TRAINED)) {
            StringBuilder sb = new StringBuilder(String.format("native vs reference relative error %.3e > %.0e; per array:", e,
                    TOL_TRAINED));
            for (int i = 0; i < n.size(); i++) {
                sb.append(String.format("%n  %d: %.3e  native %s  reference %s", i, TestUtil.relativeError(n.get(i), r.get(i), FLOOR),
                        head(n.get(i)), head(r.get(i))));
            }
            fail(what, sb.toString());
        }
    }

    private static float[] concat(List<float[]> arrays) {
        int total = 0;
        for (float[] a : arrays) total += a.length;
        float[] out = new float[total];
        int at = 0;
        for (float[] a : arrays) {
            System.arraycopy(a, 0, out, at, a.length);
            at += a.length;
        }
        return out;
    }

    /**
     * Loss with the relative bound; each metric (a fraction of rows) may differ by one row, where
     * float rounding tips a decision. On denormal inputs the outputs are denormals whose order is
     * rounding itself: there only the loss is compared.
     */
    private void compareScores(String what, float[] n, float[] r, Batch b) {
        compare(what + " loss", new float[] {n[0]}, new float[] {r[0]});
        int rows = b.x().length;
        for (int i = 1; i < n.length; i++) {
            if (!(n[i] >= 0 && n[i] <= 1 && r[i] >= 0 && r[i] <= 1)) fail(what, "metric " + i + " outside [0, 1]: " + n[i] + ", " + r[i]);
            double d = Math.abs(n[i] - r[i]);
            // Zeros and denormals in x make outputs tie (the same bias at every position); float and
            // double rounding then break the ties of argmax and of the 0.5 threshold differently.
            if (b.atKink() || b.xValues() == Values.ZEROS) continue;
            if (d > 1e-6) stats.metricFlips++;
            if (d > 1.0 / rows + 1e-6) fail(what, "metric " + i + ": native " + n[i] + ", reference " + r[i]);
        }
    }

    /** Outputs or a loss, within {@link #TOL}. */
    private void compare(String what, float[] n, float[] r) {
        double e = check(what, n, r, TOL);
        stats.error(e, what + ", seed " + seed);
        if (!(e <= TOL)) {
            fail(what, String.format("native vs reference relative error %.3e > %.0e%n  native    %s%n  reference %s", e, TOL,
                    head(n), head(r)));
        }
    }

    /** The normwise relative error; results from finite weights and data must be finite. */
    private double check(String what, float[] n, float[] r, double tol) {
        for (float v : r) {
            if (!Float.isFinite(v)) fail(what, "non-finite result from finite weights and data (reference): " + head(r));
        }
        return TestUtil.relativeError(n, r, FLOOR);
    }

    private static String head(float[] a) {
        return a.length <= 12 ? Arrays.toString(a) : Arrays.toString(Arrays.copyOf(a, 12)) + "...";
    }

    private void fail(String what, String problem, Outcome... outcomes) {
        StringBuilder sb = new StringBuilder();
        sb.append("seed ").append(seed).append(big ? " (big, " + threads + " threads)" : "").append(": ").append(what).append(": ").append(problem);
        String[] sides = {"native", "reference"};
        for (int i = 0; i < outcomes.length; i++) {
            sb.append("\n  ").append(outcomes.length == 2 ? sides[i] : "outcome").append(": ").append(outcomes[i].brief());
            if (outcomes[i].kind() == Outcome.Kind.UNDOCUMENTED || outcomes.length == 1) {
                sb.append("\n").append(outcomes[i].stackTrace().indent(4));
            }
        }
        sb.append("\n  calls:\n").append(log().indent(4));
        throw new Failure(sb.toString());
    }
}
