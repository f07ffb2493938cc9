package dev.sinew.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void roundTrip() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a \"quoted\"\n\\ string é");
        m.put("i", 42L);
        m.put("d", 0.125);
        m.put("b", true);
        m.put("n", null);
        List<Object> l = new ArrayList<>(Arrays.asList(null, 1L, -2.5e-3, "x", new LinkedHashMap<>(), new ArrayList<>()));
        m.put("l", l);
        assertEquals(m, Json.parse(Json.write(m)));
    }

    @Test
    void syntaxErrorsNameThePosition() {
        assertEquals("invalid JSON at character 5: expected ':', found '1'",
                assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\" 1}")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{} x"));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
    }

    @Test
    void integersBeyondALongAreDoubles() {
        assertEquals(9223372036854775807L, Json.parse("9223372036854775807"));
        assertEquals(1e23, Json.parse("100000000000000000000000"));
        assertEquals(-1e23, Json.parse("-100000000000000000000000"));
    }

    @Test
    void nestingIsLimitedTo64Levels() {
        assertEquals(List.of(), unwrap(Json.parse("[".repeat(64) + "]".repeat(64)), 63));
        for (int depth : new int[] {65, 5_000, 1_000_000}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Json.parse("[".repeat(depth) + "]".repeat(depth)));
            assertEquals("invalid JSON at character 64: arrays and objects nested deeper than 64 levels", e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": ".repeat(100_000)));
    }

    private static Object unwrap(Object v, int levels) {
        for (int i = 0; i < levels; i++) v = ((List<?>) v).getFirst();
        return v;
    }
}
