package dev.sinew.fuzz;

import dev.sinew.fuzz.Outcome.Kind;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a call may end with, as the fuzzer's oracle predicts it: a set of outcome kinds, and for a
 * rejection a word its message must contain (e.g. "closed"), or null for any message.
 */
record Expect(Set<Kind> kinds, String mention) {

    static Expect of(String mention, Kind first, Kind... rest) {
        return new Expect(EnumSet.of(first, rest), mention);
    }

    static Expect ok() {
        return of(null, Kind.OK);
    }

    static Expect iae() {
        return of(null, Kind.IAE);
    }

    static Expect ise(String mention) {
        return of(mention, Kind.ISE);
    }

    /** Whether {@code o} is one of the kinds, and a rejection names what it must. */
    boolean matches(Outcome o) {
        if (!kinds.contains(o.kind())) return false;
        return !o.rejected() || mention == null || o.kind() != Kind.ISE
                || o.message().toLowerCase().contains(mention.toLowerCase());
    }

    @Override
    public String toString() {
        return kinds + (mention == null ? "" : " mentioning \"" + mention + "\"");
    }
}
