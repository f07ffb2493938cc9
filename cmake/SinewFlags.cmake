# Compiler flags for libsinew.
# x86-64-v3 (AVX2 + FMA) is the portable baseline: every x86-64 server CPU of the last decade has
# it, and gcc vectorises our plain loops to 256-bit code. No -ffast-math: kernels must agree with
# the Java reference to 1e-4 and must not drop NaN checks (isfinite).
function(sinew_set_flags target)
    set_property(TARGET ${target} PROPERTY C_STANDARD 11)
    set_property(TARGET ${target} PROPERTY C_STANDARD_REQUIRED ON)
    target_compile_options(${target} PRIVATE -O3 -Wall -Wextra -Wpedantic -fno-math-errno)
    if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
        target_compile_options(${target} PRIVATE -march=x86-64-v3)
    endif()
endfunction()
