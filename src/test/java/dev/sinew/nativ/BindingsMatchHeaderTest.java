package dev.sinew.nativ;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sinew_h.java} is what {@code native/jextract/mini_jextract.py} makes of
 * {@code native/include/sinew.h}, byte for byte: regenerated into a temporary directory and
 * compared with the checked-in file. A header changed without regenerating, or a binding edited by
 * hand (an {@code int} where C has {@code int64_t}), fails here instead of passing wrong values
 * through FFM. Needs python3; without it the test is skipped, except under CI where it fails.
 */
class BindingsMatchHeaderTest {
    static final String HEADER = "native/include/sinew.h";
    static final Path BINDINGS = Path.of("src/main/java/dev/sinew/nativ/sinew_h.java");

    @Test
    void sinewBindingsAreTheHeaderRegenerated(@TempDir Path tmp) throws Exception {
        Path root = Path.of("").toAbsolutePath(); // Maven runs tests in the project directory
        assertTrue(Files.isRegularFile(root.resolve(HEADER)), "run from the project directory; no " + HEADER + " in " + root);
        String python = python3();
        Path generated = tmp.resolve("sinew_h.java"), errors = tmp.resolve("stderr.txt");
        // The command line of the script's own docstring, run from the project root, so that the
        // "Source:" line it writes is the same relative path.
        Process p = new ProcessBuilder(python, "native/jextract/mini_jextract.py", HEADER, "sinew_h", "NativeLibraries.sinew()")
                .directory(root.toFile()).redirectOutput(generated.toFile()).redirectError(errors.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "mini_jextract.py did not finish in 60 s");
        assertEquals(0, p.exitValue(), "mini_jextract.py failed:\n" + Files.readString(errors));

        List<String> expected = Files.readAllLines(generated, StandardCharsets.UTF_8);
        List<String> actual = Files.readAllLines(root.resolve(BINDINGS), StandardCharsets.UTF_8);
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                fail(BINDINGS + " differs from what mini_jextract.py generates from " + HEADER + " at line " + (i + 1)
                        + ":\n  generated:   " + expected.get(i) + "\n  checked in:  " + actual.get(i)
                        + "\nRegenerate it (see native/jextract/mini_jextract.py) instead of editing it.");
            }
        }
        assertEquals(expected.size(), actual.size(), BINDINGS + ": line count differs from the regenerated file");

        // The script skips silently a declaration its pattern does not match (e.g. a two-word return
        // type): every function the header declares must have its binding.
        String header = Files.readString(root.resolve(HEADER)).replaceAll("(?s)/\\*.*?\\*/", "");
        Matcher m = Pattern.compile("\\b(sinew_\\w+)\\s*\\(").matcher(header);
        int functions = 0;
        String bindings = String.join("\n", actual);
        while (m.find()) {
            functions++;
            assertTrue(Pattern.compile("public static \\w+ " + m.group(1) + "\\(").matcher(bindings).find(),
                    m.group(1) + " is declared in " + HEADER + " but has no binding in " + BINDINGS);
        }
        long bound = Pattern.compile("public static FunctionDescriptor \\w+\\$descriptor\\(").matcher(bindings).results().count();
        assertEquals(functions, bound, "functions declared in " + HEADER + " vs bound in " + BINDINGS);
    }

    /** python3 from the PATH; absent, the test is skipped, or fails under CI (where it must run). */
    static String python3() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "python3");
            if (Files.isExecutable(candidate)) return candidate.toString();
        }
        String why = "python3 is not on the PATH; it regenerates sinew_h.java from sinew.h for this check";
        if (System.getenv("CI") != null) fail(why + " (CI is set: the check must run)");
        Assumptions.abort(why);
        return null;
    }
}
