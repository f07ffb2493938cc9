package dev.sinew.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.TestUtil;
import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.io.Json;
import dev.sinew.tensor.ParameterTable;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Variable;
import dev.sinew.tensor.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keras's optimizer formulas, step by step, as Keras's {@code test_correctness_with_golden}:
 * {@code golden.json} beside this test holds, for each optimizer and options, the weights after
 * each of five steps on fixed gradients, computed by {@code golden.py} (Keras's update_step and
 * base_optimizer order transcribed in float32). Both backends must reproduce them, and each other.
 * {@code torch.json} ({@code torch_golden.py}) holds the same steps taken by {@code torch.optim},
 * in float64, for the cases where Keras's and torch's semantics coincide (the script says which
 * and why the others are left out).
 */
class OptimizerGoldenTest {
    /** Normwise relative error allowed: float32 rounding, plus FMA and double accumulation in our kernels. */
    static final double TOLERANCE = 2e-7;

    /**
     * Normwise relative error allowed against torch.optim's float64 values: Sinew rounds to float32
     * at every stored value, five steps deep (measured: at most 1.9e-7), so 1e-6. Formulas that
     * differ are well outside it on these steps: torch's RMSprop epsilon placement at eps = 1e-7
     * gives 2e-5, torch 1.13's NAdam 8e-4 (both measured, and left out of torch.json).
     */
    static final double TORCH_TOLERANCE = 1e-6;

    @SuppressWarnings("unchecked")
    static Map<String, Object> load(String resource) throws IOException {
        try (InputStream in = OptimizerGoldenTest.class.getResourceAsStream(resource)) {
            return (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @SuppressWarnings("unchecked")
    static Stream<Arguments> cases(String resource) throws IOException {
        Map<String, Object> file = load(resource);
        List<Arguments> out = new ArrayList<>();
        for (Object c : (List<Object>) file.get("cases")) {
            Map<String, Object> m = (Map<String, Object>) c;
            out.add(Arguments.of(m.get("name"), file, m));
        }
        return out.stream();
    }

    static Stream<Arguments> kerasCases() throws IOException {
        return cases("golden.json");
    }

    static Stream<Arguments> torchCases() throws IOException {
        return cases("torch.json");
    }

    static float[] floats(Object list) {
        List<?> l = (List<?>) list;
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) f[i] = ((Number) l.get(i)).floatValue();
        return f;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kerasCases")
    void matchesKerasFormulas(String name, Map<String, Object> file, Map<String, Object> c) {
        check("golden", "Keras's formulas", TOLERANCE, file, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("torchCases")
    void matchesTorchOptim(String name, Map<String, Object> file, Map<String, Object> c) {
        check("torch ", c.get("torch").toString(), TORCH_TOLERANCE, file, c);
    }

    /**
     * Steps a 2 x 3 kernel and a bias with the case's optimizer on both backends, comparing the
     * weights after every step with the file's, and the backends with each other.
     */
    @SuppressWarnings("unchecked")
    static void check(String label, String against, double tolerance, Map<String, Object> file, Map<String, Object> c) {
        String name = (String) c.get("name");
        List<Object> grads = (List<Object>) file.get("grads");
        List<Object> steps = (List<Object>) c.get("steps");
        double worstBetween = 0;
        double[] worst = new double[2];
        Backend[] backends = {Backends.nativeBackend(), Backends.reference()};
        List<List<float[]>> byBackend = new ArrayList<>();
        for (int bi = 0; bi < backends.length; bi++) {
            Backend b = backends[bi];
            List<float[]> after = new ArrayList<>();
            try (Workspace ws = new Workspace()) {
                ParameterTable t = ParameterTable.allocate(ws, List.of(
                        new ParameterTable.Spec("dense", "kernel", Shape.of(2, 3), true),
                        new ParameterTable.Spec("dense", "bias", Shape.of(3), true)));
                Variable kernel = t.variables().get(0), bias = t.variables().get(1);
                t.value(kernel).copyFrom(floats(file.get("kernel")));
                t.value(bias).copyFrom(floats(file.get("bias")));
                Optimizer opt = Optimizers.fromConfig((String) c.get("class_name"), (Map<String, Object>) c.get("config"));
                opt.build(b, t, ws);
                for (int s = 0; s < steps.size(); s++) {
                    List<Object> gs = (List<Object>) grads.get(s);
                    t.gradient(kernel).copyFrom(floats(gs.get(0)));
                    t.gradient(bias).copyFrom(floats(gs.get(1)));
                    opt.step();
                    List<Object> expected = (List<Object>) steps.get(s);
                    for (int k = 0; k < 2; k++) {
                        Tensor actual = t.value(k == 0 ? kernel : bias);
                        double e = TestUtil.relativeError(actual.toArray(), floats(expected.get(k)), 1e-3);
                        worst[bi] = Math.max(worst[bi], e);
                        assertTrue(e <= tolerance, name + " on " + b.name() + " vs " + against + ", step " + (s + 1) + ", "
                                + (k == 0 ? "kernel" : "bias") + ": relative error " + e);
                        after.add(actual.toArray());
                    }
                }
                assertEquals(steps.size(), opt.iterations(), "iterations after " + steps.size() + " steps");
            }
            byBackend.add(after);
        }
        for (int i = 0; i < byBackend.get(0).size(); i++) {
            worstBetween = Math.max(worstBetween, TestUtil.relativeError(byBackend.get(0).get(i), byBackend.get(1).get(i), 1e-3));
        }
        System.out.printf("%s %-30s largest relative error vs %s: native %.2e, reference %.2e; native vs reference %.2e%n",
                label, name, against, worst[0], worst[1], worstBetween);
        assertTrue(worstBetween <= TOLERANCE, "native vs reference: " + worstBetween);
    }
}
