package dev.sinew.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinew.backend.Cpu.Feature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CpuTest {
    @AfterEach
    void restore() {
        Cpu.enable(EnumSet.allOf(Feature.class));
    }

    @Test
    void detectionAgreesWithTheKernelsFlagsInProcCpuinfo() throws Exception {
        Path info = Path.of("/proc/cpuinfo");
        Set<Feature> s = Cpu.supported();
        if (!Files.isReadable(info) || !System.getProperty("os.arch").equals("amd64")) return;
        String flags = Files.readAllLines(info).stream().filter(l -> l.startsWith("flags")).findFirst().orElse("") + " ";
        assertEquals(flags.contains(" avx2 ") && flags.contains(" fma "), s.contains(Feature.AVX2), flags);
        boolean v4 = flags.contains(" avx512f ") && flags.contains(" avx512bw ") && flags.contains(" avx512dq ")
                && flags.contains(" avx512vl ");
        assertEquals(v4 && s.contains(Feature.AVX2), s.contains(Feature.AVX512), flags);
        assertEquals(s.contains(Feature.AVX512) && flags.contains(" avx512_vnni "), s.contains(Feature.AVX512_VNNI));
        assertEquals(s.contains(Feature.AVX512) && flags.contains(" avx512_bf16 "), s.contains(Feature.AVX512_BF16));
    }

    @Test
    void enableNarrowsToTheBaselineAndBackButNeverBeyondTheCpu() {
        Set<Feature> all = Cpu.supported();
        assertEquals(all.contains(Feature.AVX2) ? EnumSet.of(Feature.AVX2) : EnumSet.noneOf(Feature.class),
                Cpu.enable(EnumSet.of(Feature.AVX2)));
        assertEquals(Cpu.enabled(), Cpu.enable(EnumSet.of(Feature.AVX2)));
        assertEquals(all, Cpu.enable(EnumSet.allOf(Feature.class)));
        assertTrue(all.containsAll(Cpu.enabled()));
    }
}
