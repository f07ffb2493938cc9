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
}
