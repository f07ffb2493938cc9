package dev.sinew.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.io.Json;
import dev.sinew.optimizers.schedules.CosineDecay;
import dev.sinew.optimizers.schedules.CosineDecayRestarts;
import dev.sinew.optimizers.schedules.ExponentialDecay;
import dev.sinew.optimizers.schedules.InverseTimeDecay;
import dev.sinew.optimizers.schedules.PiecewiseConstantDecay;
import dev.sinew.optimizers.schedules.PolynomialDecay;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The six schedules against Keras 3's formulas: {@code schedules.json} beside this test holds,
 * for each case, a Keras config and the rate at a few steps (step 0, each boundary and the end of
 * each decay), computed by {@code schedules.py} from {@code learning_rate_schedule.py}
 * transcribed in double precision.
 */
class LearningRateScheduleTest {
    /** Both sides compute in double; only the last bits of pow, cos and log may differ. */
    static final double TOLERANCE = 1e-12;

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> golden() throws IOException {
        try (InputStream in = LearningRateScheduleTest.class.getResourceAsStream("schedules.json")) {
            Map<String, Object> all = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return (List<Map<String, Object>>) all.get("cases");
        }
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (Map<String, Object> c : golden()) out.add(Arguments.of(c.get("name"), c));
        return out.stream();
    }

    static Map<String, Object> entry(Map<String, Object> c) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("class_name", c.get("class_name"));
        e.put("config", c.get("config"));
        return e;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void matchesKerasFormulas(String name, Map<String, Object> c) {
        LearningRateSchedule s = Schedules.fromConfig(entry(c));
        assertEquals(c.get("class_name"), s.name());
        List<Object> steps = (List<Object>) c.get("steps"), values = (List<Object>) c.get("values");
        double worst = 0;
        for (int i = 0; i < steps.size(); i++) {
            long step = ((Number) steps.get(i)).longValue();
            double expected = ((Number) values.get(i)).doubleValue(), actual = s.at(step);
            double error = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-3);
            worst = Math.max(worst, error);
            assertTrue(error <= TOLERANCE, name + " at step " + step + ": " + actual + ", Keras's formula gives " + expected);
        }
        System.out.printf("schedule %-28s largest relative error vs Keras's formula %.1e%n", name, worst);
    }

    /** getConfig has exactly Keras's keys and values (defaults included), and fromConfig(getConfig) is the same schedule. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void configIsKerasAndRoundTrips(String name, Map<String, Object> c) {
        LearningRateSchedule s = Schedules.fromConfig(entry(c));
        assertEquals(c.get("config"), s.getConfig(), name + ": get_config as Keras writes it");
        assertEquals(List.copyOf(((Map<String, Object>) c.get("config")).keySet()), List.copyOf(s.getConfig().keySet()),
                name + ": Keras's key order");
        Map<String, Object> e = Map.of("class_name", s.name(), "config", s.getConfig());
        assertEquals(s, Schedules.fromConfig(e));
        assertEquals(s, Schedules.fromConfig((Map<String, Object>) Json.parse(Json.write(e))), name + " through JSON text");
    }

    @Test
    void builtAndConstructedAlike() {
        assertEquals(new ExponentialDecay(0.1, 100, 0.96, true),
                ExponentialDecay.builder().initialLearningRate(0.1).decaySteps(100).decayRate(0.96).staircase(true).build());
        assertEquals(new ExponentialDecay(0.1, 100, 0.96, false), new ExponentialDecay(0.1, 100, 0.96));
        assertEquals(new InverseTimeDecay(0.1, 4, 0.5, true),
                InverseTimeDecay.builder().initialLearningRate(0.1).decaySteps(4).decayRate(0.5).staircase(true).build());
        assertEquals(new InverseTimeDecay(0.1, 4, 0.5, false), new InverseTimeDecay(0.1, 4, 0.5));
        assertEquals(new PolynomialDecay(0.1, 10, 0.01, 0.5, true),
                PolynomialDecay.builder().initialLearningRate(0.1).decaySteps(10).endLearningRate(0.01).power(0.5).cycle(true).build());
        assertEquals(new CosineDecay(0.0, 20, 0.05, 0.2, 5),
                CosineDecay.builder().initialLearningRate(0).decaySteps(20).alpha(0.05).warmupTarget(0.2).warmupSteps(5).build());
        assertEquals(new CosineDecayRestarts(0.1, 10, 1.5, 0.8, 0.1),
                CosineDecayRestarts.builder().initialLearningRate(0.1).firstDecaySteps(10).tMul(1.5).mMul(0.8).alpha(0.1).build());
        assertEquals(new PiecewiseConstantDecay(List.of(5L, 10L), List.of(1.0, 0.5, 0.1)),
                new PiecewiseConstantDecay(new long[] {5, 10}, new double[] {1.0, 0.5, 0.1}));
        // Short constructors and builders take Keras's defaults, as fromConfig of the required arguments only does.
        Map<String, Object> required = Map.of("initial_learning_rate", 0.1, "decay_steps", 10L);
        assertEquals(PolynomialDecay.fromConfig(required), new PolynomialDecay(0.1, 10));
        assertEquals(PolynomialDecay.fromConfig(required), PolynomialDecay.builder().initialLearningRate(0.1).decaySteps(10).build());
        assertEquals(CosineDecay.fromConfig(required), new CosineDecay(0.1, 10));
        assertEquals(CosineDecay.fromConfig(required), CosineDecay.builder().initialLearningRate(0.1).decaySteps(10).build());
        Map<String, Object> first = Map.of("initial_learning_rate", 0.1, "first_decay_steps", 10L);
        assertEquals(CosineDecayRestarts.fromConfig(first), new CosineDecayRestarts(0.1, 10));
        assertEquals(new CosineDecayRestarts(0.1, 10, 2.0, 1.0, 0.0), new CosineDecayRestarts(0.1, 10));
        assertEquals(new PolynomialDecay(0.1, 10, 0.0001, 1.0, false), new PolynomialDecay(0.1, 10));
        assertEquals(new CosineDecay(0.1, 10, 0.0, null, 0), new CosineDecay(0.1, 10));
        // A config written by Keras (name, module, registered_name, a float step count) loads.
        Map<String, Object> keras = new LinkedHashMap<>();
        keras.put("module", "keras.optimizers.schedules");
        keras.put("class_name", "ExponentialDecay");
        keras.put("config", Map.of("initial_learning_rate", 0.1, "decay_steps", 100.0, "decay_rate", 0.96, "staircase", false,
                "name", "my_decay"));
        keras.put("registered_name", null);
        assertEquals(new ExponentialDecay(0.1, 100, 0.96), Schedules.fromConfig(keras));
    }

    /**
     * Periods of 1, 3, 9, 27, ... steps (t_mul 3) start at steps 0, 1, 4, 13, 40, 121, 364, each at
     * m_mul^i of the initial rate. Keras's floor(log(1 + 2 f) / log 3) puts step 121 in period 4
     * (log 243 / log 3 = 4.999...), where it would be that period's end, 0; Sinew corrects it.
     */
    @Test
    void restartsStartEachPeriodAtItsFullRate() {
        CosineDecayRestarts s = new CosineDecayRestarts(1.0, 1, 3.0, 0.5, 0.0);
        long[] starts = {0, 1, 4, 13, 40, 121, 364, 1093};
        for (int i = 0; i < starts.length; i++) {
            assertEquals(Math.pow(0.5, i), s.at(starts[i]), 1e-15, "the start of period " + i + ", step " + starts[i]);
            if (i > 1) {
                double length = Math.pow(3, i - 1), last = 0.5 * Math.pow(0.5, i - 1) * (1 + Math.cos(Math.PI * (length - 1) / length));
                assertEquals(last, s.at(starts[i] - 1), 1e-12, "the last step of period " + (i - 1));
            }
        }
        assertTrue(Math.floor(Math.log(1 + 2 * 121.0) / Math.log(3)) == 4, "the rounding this test is about");
    }

    @Test
    void badArgumentsAreRejectedQuotingTheValue() {
        assertMessage(() -> new ExponentialDecay(0.1, 0, 0.9), "ExponentialDecay: argument `decay_steps` must be > 0. Received: decay_steps=0");
        assertMessage(() -> new ExponentialDecay(-0.1, 10, 0.9), "Received: initial_learning_rate=-0.1");
        assertMessage(() -> new ExponentialDecay(Double.NaN, 10, 0.9), "Received: initial_learning_rate=NaN");
        assertMessage(() -> new ExponentialDecay(0.1, 10, -0.5), "Received: decay_rate=-0.5");
        assertMessage(() -> ExponentialDecay.builder().initialLearningRate(0.1).decaySteps(10).build(),
                "ExponentialDecay.builder(): decayRate is required");
        assertMessage(() -> new InverseTimeDecay(0.1, -4, 0.5), "InverseTimeDecay: argument `decay_steps` must be > 0. Received: decay_steps=-4");
        assertMessage(() -> new InverseTimeDecay(0.1, 4, Double.POSITIVE_INFINITY), "Received: decay_rate=Infinity");
        assertMessage(() -> new PolynomialDecay(0.1, 0), "PolynomialDecay: argument `decay_steps` must be > 0. Received: decay_steps=0");
        assertMessage(() -> new PolynomialDecay(0.1, 10, -1, 1, false), "Received: end_learning_rate=-1.0");
        assertMessage(() -> new PolynomialDecay(0.1, 10, 0, -2, false), "Received: power=-2.0");
        assertMessage(() -> new CosineDecay(0.1, 0), "CosineDecay: argument `decay_steps` must be > 0. Received: decay_steps=0");
        assertMessage(() -> new CosineDecay(0.1, 10, 1.5, null, 0), "CosineDecay: argument `alpha` must be in [0, 1]. Received: alpha=1.5");
        assertMessage(() -> new CosineDecay(0.1, 10, 0, -0.2, 5), "Received: warmup_target=-0.2");
        assertMessage(() -> new CosineDecay(0.1, 10, 0, 0.2, -5), "Received: warmup_steps=-5");
        assertMessage(() -> new CosineDecayRestarts(0.1, 0), "CosineDecayRestarts: argument `first_decay_steps` must be > 0."
                + " Received: first_decay_steps=0");
        assertMessage(() -> new CosineDecayRestarts(0.1, 10, 0.5, 1, 0), "Received: t_mul=0.5");
        assertMessage(() -> new CosineDecayRestarts(0.1, 10, 2, -1, 0), "Received: m_mul=-1.0");
        assertMessage(() -> new PiecewiseConstantDecay(new long[] {5, 10}, new double[] {1, 0.5}),
                "PiecewiseConstantDecay: the length of boundaries should be 1 less than the length of values. Received:"
                        + " boundaries=[5, 10] of length 2, and values=[1.0, 0.5] of length 2.");
        assertMessage(() -> new PiecewiseConstantDecay(new long[] {10, 5}, new double[] {1, 0.5, 0.1}),
                "boundaries must be strictly increasing. Received: boundaries=[10, 5]");
        assertMessage(() -> new PiecewiseConstantDecay(new long[] {}, new double[] {1}), "boundaries must not be empty");
        assertMessage(() -> new PiecewiseConstantDecay(new long[] {5}, new double[] {1, -0.5}), "Received: values=-0.5");
        assertMessage(() -> new ExponentialDecay(0.1, 10, 0.5).at(-1), "the step must be >= 0. Received: step=-1");
    }

    @Test
    void badConfigsAreRejectedNamingTheKey() {
        assertMessage(() -> Schedules.fromConfig(Map.of("class_name", "StepDecay", "config", Map.of())),
                "Unknown learning-rate schedule 'StepDecay'. Known: ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay,"
                        + " InverseTimeDecay, CosineDecay, CosineDecayRestarts");
        assertMessage(() -> Schedules.fromConfig(Map.of("class_name", "ExponentialDecay",
                "config", Map.of("initial_learning_rate", 0.1, "decay_steps", 10L))), "ExponentialDecay config: 'decay_rate' is required");
        assertMessage(() -> Schedules.fromConfig(Map.of("class_name", "ExponentialDecay",
                "config", Map.of("initial_learning_rate", 0.1, "decay_steps", 2.5, "decay_rate", 0.5))),
                "ExponentialDecay config: 'decay_steps' must be a whole number, got 2.5");
        assertMessage(() -> Schedules.fromConfig(Map.of("class_name", "CosineDecay",
                "config", Map.of("initial_learning_rate", 0.1, "decay_steps", 10L, "decay_rate", 0.5))),
                "CosineDecay config: argument(s) not recognized: [decay_rate]");
        assertMessage(() -> Schedules.fromConfig(Map.of("class_name", "PolynomialDecay",
                "config", Map.of("initial_learning_rate", "0.1", "decay_steps", 10L))),
                "PolynomialDecay config: 'initial_learning_rate' must be a number, got 0.1");
        assertMessage(() -> Schedules.fromConfig(Map.of("class_name", "PiecewiseConstantDecay",
                "config", Map.of("boundaries", 5L, "values", List.of(1.0, 0.5)))),
                "PiecewiseConstantDecay config: 'boundaries' must be a list, got 5");
        assertMessage(() -> Schedules.fromConfig(Map.of("class_name", "CosineDecay", "config", "x")), "'config' must be an object");
    }

    static void assertMessage(Executable call, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), "expected a message containing\n  " + expected + "\ngot\n  " + e.getMessage());
    }
}
