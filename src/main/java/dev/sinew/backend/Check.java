package dev.sinew.backend;

import dev.sinew.tensor.Tensor;

/** The size checks every backend operation runs before any native call. */
final class Check {
    private Check() {}

    static void positive(String op, String what, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(op + ": " + what + " must be positive, got " + value);
        }
    }

    static void holds(String op, String what, Tensor t, long elements) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + what + " is null");
        }
        // A closed tensor's memory is gone: say so here, rather than let the FFM API's own
        // "Already closed" surface from deep inside a native call or an element access.
        if (!t.segment().scope().isAlive()) {
            throw new IllegalArgumentException(op + ": " + what + " is a closed tensor (its memory has been freed)");
        }
        if (t.size() < elements) {
            throw new IllegalArgumentException(op + ": " + what + " needs " + elements
                    + " elements but its tensor " + t.shape() + " has " + t.size());
        }
    }
}
