package dev.sinew.backend;

import dev.sinew.nativ.sinew_h;
import java.util.EnumSet;
import java.util.Set;

/**
 * The instruction sets libsinew's kernels may use (see {@code native/src/cpu.c}). The library is
 * compiled for x86-64-v3 (AVX2 + FMA); kernels with a wider variant pick it at run time, only when
 * the CPU has it, so no CPU ever meets an instruction it lacks. {@code SINEW_CPU=x86-64-v3} in the
 * environment keeps every kernel on the baseline; {@link #enable} does the same from Java.
 */
public final class Cpu {
    /** A CPU feature; the bit values are {@code enum sinew_cpu_feature} in sinew.h. */
    public enum Feature {
        /** AVX2 + FMA (x86-64-v3), the baseline. */
        AVX2(1),
        /** AVX-512 F, BW, DQ and VL (x86-64-v4). */
        AVX512(2),
        /** AVX-512 VNNI: int8 dot products. */
        AVX512_VNNI(4),
        /** AVX-512 BF16: bfloat16 dot products. */
        AVX512_BF16(8);

        final int bit;

        Feature(int bit) {
            this.bit = bit;
        }
    }

    private Cpu() {}

    /** The features this CPU has (empty off x86-64). */
    public static Set<Feature> supported() {
        NativeBackend.get();
        return decode(sinew_h.sinew_cpu_supported());
    }

    /** The features kernels use now. */
    public static Set<Feature> enabled() {
        NativeBackend.get();
        return decode(sinew_h.sinew_cpu_enabled());
    }

    /**
     * Lets kernels use {@code features} where the CPU has them, and nothing else; returns what is
     * enabled. For tests and start-up: not while a model computes on another thread.
     */
    public static synchronized Set<Feature> enable(Set<Feature> features) {
        NativeBackend.get();
        int bits = 0;
        for (Feature f : features) bits |= f.bit;
        return decode(sinew_h.sinew_cpu_enable(bits));
    }

    /** Whether this CPU has {@code f}, enabled or not (a kernel's routing may depend on it; it never changes). */
    static boolean supports(Feature f) {
        return (sinew_h.sinew_cpu_supported() & f.bit) != 0;
    }

    private static Set<Feature> decode(int bits) {
        EnumSet<Feature> s = EnumSet.noneOf(Feature.class);
        for (Feature f : Feature.values()) if ((bits & f.bit) != 0) s.add(f);
        return s;
    }
}
