package dev.sinew.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.models.FitOptions;
import dev.sinew.models.History;
import dev.sinew.models.NonFiniteLossException;
import dev.sinew.models.Sequential;
import dev.sinew.optimizers.SGD;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** TerminateOnNaN: stops at the first non-finite loss, where fit would otherwise throw. */
class TerminateOnNaNTest {

    @Test
    void aNonFiniteLossStopsTraining() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Sequential net = Tiny.model()) {
            TerminateOnNaN t = new TerminateOnNaN(Tiny.into(out));
            t.setModel(net);
            t.onTrainBegin(1, 10);
            t.onBatchEnd(0, Map.of("loss", 0.5));
            t.onBatchEnd(1, Map.of("loss", 1e30));
            assertFalse(net.isStopTrainingRequested(), "finite losses go on");
            assertEquals(-1, t.terminatedAtBatch());
            t.onBatchEnd(2, Map.of("loss", Double.POSITIVE_INFINITY));
            assertTrue(net.isStopTrainingRequested());
            assertEquals(2, t.terminatedAtBatch());
            net.setStopTraining(false);
            t.onBatchEnd(3, Map.of("loss", Double.NaN));
            assertTrue(net.isStopTrainingRequested());
        }
        assertEquals("Batch 2: Invalid loss, terminating training\nBatch 3: Invalid loss, terminating training\n", Tiny.text(out));
    }

    /** Linear regression with SGD(1) on inputs up to 10: each step multiplies the error by tens, until it overflows. */
    static Sequential diverging() {
        return Tiny.model(new SGD(1));
    }

    @Test
    void inFitItReplacesTheExceptionWithAStop() {
        float[][] x = Tiny.x(4, 64, 10), y = Tiny.y(4, 64);
        FitOptions.Builder options = FitOptions.builder().epochs(5).batchSize(8).verbose(0).shuffle(false);
        NonFiniteLossException thrown;
        try (Sequential net = diverging()) {
            thrown = assertThrows(NonFiniteLossException.class, () -> net.fit(x, y, options.build()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Sequential net = diverging()) {
            TerminateOnNaN t = new TerminateOnNaN(Tiny.into(out));
            History h = net.fit(x, y, options.callbacks(t).build());
            // The same batch as the exception, now as the History's stop reason and the callback's line.
            assertEquals(thrown.getMessage(), h.stopReason());
            assertTrue(thrown.epoch() > 1, "diverges after the first epoch: " + thrown.getMessage());
            assertEquals(thrown.epoch() - 1, h.epochs(), "the epochs before the diverging one are kept");
            assertEquals("Batch " + (thrown.batch() - 1) + ": Invalid loss, terminating training\n", Tiny.text(out));
            assertEquals(thrown.batch() - 1, t.terminatedAtBatch());
            Matcher m = Pattern.compile("at epoch (\\d+)/5, batch (\\d+)/8").matcher(h.stopReason());
            assertTrue(m.find(), h.stopReason());
            assertEquals((thrown.epoch() - 1) * 8 + thrown.batch(), net.optimizer().iterations(), "no step after the diverging one");
        }
        // A run that does not diverge is not touched.
        try (Sequential net = Tiny.model()) {
            History h = net.fit(Tiny.x(4, 64, 1), y, FitOptions.builder().epochs(2).batchSize(8).verbose(0)
                    .callbacks(new TerminateOnNaN(Tiny.into(out))).build());
            assertNull(h.stopReason());
            assertEquals(2, h.epochs());
        }
    }
}
