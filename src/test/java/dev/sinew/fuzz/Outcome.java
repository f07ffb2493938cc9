package dev.sinew.fuzz;

import dev.sinew.models.NonFiniteLossException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * How one call ended, sorted into the kinds Sinew documents: it returned, or threw an
 * {@link IllegalArgumentException} (bad arguments or data), an {@link IllegalStateException}
 * (wrong lifecycle: not compiled, closed), an {@link IOException} (files), or fit's
 * {@link NonFiniteLossException} (training diverged). Anything else is {@link Kind#UNDOCUMENTED}:
 * NullPointerException, IndexOutOfBoundsException, ArithmeticException, an Error, and also an
 * IllegalArgumentException or IllegalStateException thrown by the JDK rather than by Sinew itself
 * (e.g. the FFM API's "Already closed"), which would mean a check is missing.
 */
record Outcome(Kind kind, Object value, Throwable error) {

    enum Kind { OK, IAE, ISE, IOE, DIVERGED, UNDOCUMENTED }

    static Outcome of(Object value) {
        return new Outcome(Kind.OK, value, null);
    }

    static Outcome of(Throwable t) {
        Kind k;
        if (t instanceof NonFiniteLossException) k = Kind.DIVERGED;
        else if (t instanceof IllegalArgumentException) k = fromSinew(t) ? Kind.IAE : Kind.UNDOCUMENTED;
        else if (t instanceof IllegalStateException) k = fromSinew(t) ? Kind.ISE : Kind.UNDOCUMENTED;
        else if (t instanceof IOException) k = Kind.IOE;
        else k = Kind.UNDOCUMENTED;
        if ((k == Kind.IAE || k == Kind.ISE) && (t.getMessage() == null || t.getMessage().isBlank())) {
            k = Kind.UNDOCUMENTED; // a rejection must say why
        }
        return new Outcome(k, null, t);
    }

    /** Whether Sinew's own code threw it (its top frame is in dev.sinew), not the JDK underneath. */
    private static boolean fromSinew(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        return st.length > 0 && st[0].getClassName().startsWith("dev.sinew.");
    }

    boolean ok() {
        return kind == Kind.OK;
    }

    boolean rejected() {
        return kind == Kind.IAE || kind == Kind.ISE || kind == Kind.IOE;
    }

    String message() {
        return error == null ? "" : String.valueOf(error.getMessage());
    }

    /** One line for logs: OK, or the exception's class and message. */
    String brief() {
        return error == null ? "OK" : error.getClass().getName() + ": " + error.getMessage();
    }

    String stackTrace() {
        if (error == null) return "";
        StringWriter w = new StringWriter();
        error.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
