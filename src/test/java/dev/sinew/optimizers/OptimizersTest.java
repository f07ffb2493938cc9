package dev.sinew.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.backend.Backend;
import dev.sinew.backend.Backends;
import dev.sinew.layers.Dense;
import dev.sinew.layers.Input;
import dev.sinew.models.Sequential;
import dev.sinew.tensor.ParameterTable;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Keras's optimizers by name, their defaults, configs and state variables. */
class OptimizersTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"sgd, SGD", "adam, Adam", "adamw, AdamW", "rmsprop, RMSprop", "adagrad, Adagrad",
            "adadelta, Adadelta", "adamax, Adamax", "nadam, Nadam", "lion, Lion", "RMSProp, RMSprop", " ADAMW , AdamW"})
    void keras_string_names_give_the_class(String name, String className) {
        assertEquals(className, Optimizers.get(name).name());
    }

    /**
     * Each optimizer, named by string in compile, trains a linear model on y = 2 x - 1: the loss
     * after 100 steps is below a tenth of the first. Adadelta's first steps are about
     * lr * sqrt(epsilon), so it gets the paper's learning rate 1.0 and epsilon 1e-4 (with Keras's
     * 0.001 and 1e-7 it needs thousands of steps, in Keras too).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"sgd, 0.05", "adam, 0.05", "adamw, 0.05", "rmsprop, 0.05", "adagrad, 0.5", "adadelta, 1.0", "adamax, 0.1",
            "nadam, 0.05", "lion, 0.02"})
    void each_optimizer_trains_a_line(String name, double lr) {
        float[][] x = new float[16][1], y = new float[16][1];
        for (int i = 0; i < 16; i++) {
            x[i][0] = (i - 7.5f) / 8;
            y[i][0] = 2 * x[i][0] - 1;
        }
        Map<String, Object> config = name.equals("adadelta") ? Map.of("learning_rate", lr, "epsilon", 1e-4)
                : Map.of("learning_rate", lr);
        try (Sequential net = new Sequential(7)) {
            net.add(new Input(1));
            net.add(new Dense(1, "linear"));
            net.compile("mean_squared_error", Optimizers.fromConfig(name, config));
            float first = net.trainOnBatch(x, y)[0], last = first;
            for (int s = 0; s < 100; s++) last = net.trainOnBatch(x, y)[0];
            assertTrue(last < first / 10, name + ": loss " + first + " -> " + last);
        }
    }

    @Test
    void defaults_are_keras_defaults() {
        Map<String, Object> c = Optimizers.get("rmsprop").getConfig();
        assertEquals(0.001, c.get("learning_rate"));
        assertEquals(0.9, c.get("rho"));
        assertEquals(0.0, c.get("momentum"));
        assertEquals(1e-7, c.get("epsilon"));
        assertEquals(false, c.get("centered"));
        assertEquals(null, c.get("weight_decay"));
        assertEquals(0.004, Optimizers.get("adamw").getConfig().get("weight_decay"));
        assertEquals(0.1, Optimizers.get("adagrad").getConfig().get("initial_accumulator_value"));
        assertEquals(0.95, Optimizers.get("adadelta").getConfig().get("rho"));
        assertEquals(0.999, Optimizers.get("adamax").getConfig().get("beta_2"));
        assertEquals(0.999, Optimizers.get("nadam").getConfig().get("beta_2"));
        assertEquals(0.99, Optimizers.get("lion").getConfig().get("beta_2"));
        assertEquals(0.001, Optimizers.get("lion").getConfig().get("learning_rate"));
    }

    @Test
    void configs_round_trip() {
        for (Optimizer o : List.of(
                AdamW.builder().learningRate(0.01).weightDecay(0.05).beta1(0.8).amsgrad(true).build(),
                RMSprop.builder().rho(0.8).momentum(0.5).epsilon(1e-5).centered(true).clipnorm(1.0).build(),
                Adagrad.builder().learningRate(0.1).initialAccumulatorValue(0.0).epsilon(1e-10).build(),
                Adadelta.builder().learningRate(1.0).rho(0.9).epsilon(1e-6).build(),
                Adamax.builder().beta1(0.8).beta2(0.99).globalClipnorm(2.0).build(),
                Nadam.builder().beta1(0.95).epsilon(1e-8).useEma(true).build(),
                Lion.builder().learningRate(1e-4).beta1(0.95).beta2(0.98).weightDecay(0.1).build())) {
            Map<String, Object> c = o.getConfig();
            Optimizer back = Optimizers.fromConfig(o.name(), c);
            assertEquals(o.getClass(), back.getClass());
            assertEquals(c, back.getConfig(), o.name());
        }
    }

    @Test
    void arguments_an_optimizer_does_not_take_are_rejected() {
        // Lion has no epsilon, Adagrad no rho: as in Keras, an error rather than silently ignored.
        var e = assertThrows(IllegalArgumentException.class, () -> Optimizers.fromConfig("Lion", Map.of("epsilon", 1e-7)));
        assertTrue(e.getMessage().contains("epsilon"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Optimizers.fromConfig("adagrad", Map.of("rho", 0.9)));
    }

    @Test
    void bad_hyper_parameters_are_rejected_with_the_value() {
        assertMessage("rho=1.5", () -> RMSprop.builder().rho(1.5).build());
        assertMessage("momentum=-0.1", () -> RMSprop.builder().momentum(-0.1).build());
        assertMessage("initial_accumulator_value=-1.0", () -> Adagrad.builder().initialAccumulatorValue(-1).build());
        assertMessage("epsilon=NaN", () -> Adadelta.builder().epsilon(Double.NaN).build());
        assertMessage("beta_1=1.0", () -> Adamax.builder().beta1(1.0).build());
        assertMessage("beta_2=1.0", () -> Nadam.builder().beta2(1.0).build());
        assertMessage("beta_1=0.0", () -> Lion.builder().beta1(0.0).build());
        assertMessage("weight_decay=null", () -> AdamW.builder().weightDecay(null).build());
        assertMessage("weight_decay=null", () -> Optimizers.fromConfig("AdamW", Collections.singletonMap("weight_decay", null)));
    }

    private static void assertMessage(String fragment, Runnable r) {
        var e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    }

    @Test
    void state_variables_are_named_as_in_keras() {
        assertEquals(List.of("velocity"), stateNames(new RMSprop()));
        assertEquals(List.of("velocity", "momentum", "average_gradient"),
                stateNames(RMSprop.builder().momentum(0.9).centered(true).build()));
        assertEquals(List.of("accumulator"), stateNames(new Adagrad()));
        assertEquals(List.of("accumulated_grad", "accumulated_delta_var"), stateNames(new Adadelta()));
        assertEquals(List.of("momentum", "norm"), stateNames(new Adamax()));
        assertEquals(List.of("momentum", "velocity", "u_product"), stateNames(new Nadam()));
        assertEquals(List.of("momentum"), stateNames(new Lion()));
        assertEquals(List.of("momentum", "velocity"), stateNames(new AdamW()));
    }

    private static List<String> stateNames(Optimizer o) {
        return o.stateNames(); // protected, visible in the package
    }

    /** {@code n} weights w = 1 with gradients g = 0.5, bound to {@code o} on backend {@code b}. */
    private static ParameterTable bind(Optimizer o, int n, Workspace ws, Backend b) {
        ParameterTable t = ParameterTable.allocate(ws, List.of(new ParameterTable.Spec("dense", "kernel", Shape.of(n), true)));
        for (int i = 0; i < n; i++) {
            t.values().set(i, 1f);
            t.gradients().set(i, 0.5f);
        }
        o.build(b, t, ws);
        return t;
    }

    @Test
    void adagrad_accumulator_starts_at_initial_accumulator_value() {
        for (Backend b : new Backend[] {Backends.nativeBackend(), Backends.reference()}) {
            try (Workspace ws = new Workspace()) {
                Adagrad o = Adagrad.builder().learningRate(0.1).epsilon(0).build();
                ParameterTable t = bind(o, 1, ws, b);
                assertEquals(0.1f, o.stateVariables().get("accumulator").get(0));
                o.step();
                // acc = 0.1 + 0.5^2 = 0.35;  w = 1 - 0.1 * 0.5 / sqrt(0.35) = 0.9154846
                assertEquals(0.35f, o.stateVariables().get("accumulator").get(0), 1e-7);
                assertEquals(0.9154846, t.values().get(0), 1e-6, b.name());
            }
        }
    }

    @Test
    void nadam_u_product_is_one_number_updated_once_per_step() {
        try (Workspace ws = new Workspace()) {
            Nadam o = new Nadam();
            bind(o, 3, ws, Backends.reference());
            Tensor u = o.stateVariables().get("u_product");
            assertEquals(1, u.size());
            assertEquals(1f, u.get(0));
            o.step();
            o.step();
            // u_1 = 0.9 (1 - 0.5 * 0.96) = 0.468;  u_2 = 0.9 (1 - 0.5 * 0.9216) = 0.48528
            assertEquals(0.468 * 0.48528, u.get(0), 1e-7);
            assertEquals(3, o.stateVariables().get("momentum").size());
        }
    }
}
