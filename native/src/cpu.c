/*
 * cpu.c -- which instruction sets the kernels with several variants may use.
 *
 * libsinew is compiled for x86-64-v3 (AVX2 + FMA), the portable baseline. A kernel that also has
 * a wider variant (AVX-512, VNNI, BF16) compiles it with __attribute__((target(...))) and calls it
 * only when sinew_cpu_enabled() has the feature's bit, so an older CPU never meets an instruction
 * it lacks. Enabled starts as everything the CPU supports; sinew_cpu_enable narrows it (tests run
 * each kernel on every path the CPU has; SINEW_CPU=x86-64-v3 in the environment starts narrowed).
 */
#include "sinew.h"

#include <stdlib.h>
#include <string.h>

static int supported = -1;
static int enabled = -1;

static int detect(void) {
    int f = 0;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) f |= SINEW_CPU_AVX2;
    /* x86-64-v4's AVX-512 subset: F, BW, DQ, VL (VNNI and BF16 build on it) */
    if ((f & SINEW_CPU_AVX2) && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) {
        f |= SINEW_CPU_AVX512;
        if (__builtin_cpu_supports("avx512vnni")) f |= SINEW_CPU_AVX512_VNNI;
        if (__builtin_cpu_supports("avx512bf16")) f |= SINEW_CPU_AVX512_BF16;
    }
#endif
    return f;
}

int sinew_cpu_supported(void) {
    if (supported < 0) supported = detect();
    return supported;
}

int sinew_cpu_enabled(void) {
    if (enabled < 0) {
        const char *env = getenv("SINEW_CPU");
        int narrowed = env != NULL && strcmp(env, "x86-64-v3") == 0;
        enabled = sinew_cpu_supported() & (narrowed ? SINEW_CPU_AVX2 : ~0);
    }
    return enabled;
}

int sinew_cpu_enable(int features) {
    enabled = sinew_cpu_supported() & features;
    return enabled;
}
