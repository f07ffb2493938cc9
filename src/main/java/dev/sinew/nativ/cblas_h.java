// Written by hand in the shape jextract generates (jextract cannot be fetched on our build
// machines). Regenerate with native/jextract/cblas_h.args and diff; keep logic out of this file.
// Only the symbol lookup differs from jextract's output: it comes from NativeLibraries, which
// searches an explicit path, the system, then the OpenBLAS bundled from Maven Central.

package dev.sinew.nativ;

import java.lang.foreign.*;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.*;

public class cblas_h {

    cblas_h() {
        // Should not be called directly
    }

    static final boolean TRACE_DOWNCALLS = Boolean.getBoolean("jextract.trace.downcalls");

    static void traceDowncall(String name, Object... args) {
        String traceArgs = java.util.Arrays.stream(args)
                .map(Object::toString)
                .collect(java.util.stream.Collectors.joining(", "));
        System.out.printf("%s(%s)\n", name, traceArgs);
    }

    static MemorySegment findOrThrow(String symbol) {
        return SYMBOL_LOOKUP.find(symbol)
                .orElseThrow(() -> new UnsatisfiedLinkError("unresolved symbol: " + symbol));
    }

    static final SymbolLookup SYMBOL_LOOKUP = NativeLibraries.openblas();

    public static final ValueLayout.OfInt C_INT = JAVA_INT;
    public static final ValueLayout.OfFloat C_FLOAT = JAVA_FLOAT;
    public static final AddressLayout C_POINTER = ADDRESS
            .withTargetLayout(MemoryLayout.sequenceLayout(java.lang.Long.MAX_VALUE, JAVA_BYTE));

    private static final int CblasRowMajor = (int) 101L;
    /** {@snippet lang=c : enum CBLAS_ORDER.CblasRowMajor = 101 } */
    public static int CblasRowMajor() {
        return CblasRowMajor;
    }

    private static final int CblasNoTrans = (int) 111L;
    /** {@snippet lang=c : enum CBLAS_TRANSPOSE.CblasNoTrans = 111 } */
    public static int CblasNoTrans() {
        return CblasNoTrans;
    }

    private static final int CblasTrans = (int) 112L;
    /** {@snippet lang=c : enum CBLAS_TRANSPOSE.CblasTrans = 112 } */
    public static int CblasTrans() {
        return CblasTrans;
    }

    private static class openblas_set_num_threads {
        public static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(
            cblas_h.C_INT
        );
        public static final MemorySegment ADDR = cblas_h.findOrThrow("openblas_set_num_threads");
        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor openblas_set_num_threads$descriptor() {
        return openblas_set_num_threads.DESC;
    }

    public static MethodHandle openblas_set_num_threads$handle() {
        return openblas_set_num_threads.HANDLE;
    }

    /**
     * {@snippet lang=c :
     * void openblas_set_num_threads(int num_threads)
     * }
     */
    public static void openblas_set_num_threads(int num_threads) {
        var mh$ = openblas_set_num_threads.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("openblas_set_num_threads", num_threads);
            }
            mh$.invokeExact(num_threads);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class openblas_get_num_threads {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cblas_h.C_INT
        );
        public static final MemorySegment ADDR = cblas_h.findOrThrow("openblas_get_num_threads");
        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor openblas_get_num_threads$descriptor() {
        return openblas_get_num_threads.DESC;
    }

    public static MethodHandle openblas_get_num_threads$handle() {
        return openblas_get_num_threads.HANDLE;
    }

    /**
     * {@snippet lang=c :
     * int openblas_get_num_threads(void)
     * }
     */
    public static int openblas_get_num_threads() {
        var mh$ = openblas_get_num_threads.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("openblas_get_num_threads");
            }
            return (int) mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class openblas_get_config {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cblas_h.C_POINTER
        );
        public static final MemorySegment ADDR = cblas_h.findOrThrow("openblas_get_config");
        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor openblas_get_config$descriptor() {
        return openblas_get_config.DESC;
    }

    public static MethodHandle openblas_get_config$handle() {
        return openblas_get_config.HANDLE;
    }

    /**
     * {@snippet lang=c :
     * char *openblas_get_config(void)
     * }
     */
    public static MemorySegment openblas_get_config() {
        var mh$ = openblas_get_config.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("openblas_get_config");
            }
            return (MemorySegment) mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cblas_saxpy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(
            cblas_h.C_INT,
            cblas_h.C_FLOAT,
            cblas_h.C_POINTER,
            cblas_h.C_INT,
            cblas_h.C_POINTER,
            cblas_h.C_INT
        );
        public static final MemorySegment ADDR = cblas_h.findOrThrow("cblas_saxpy");
        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cblas_saxpy$descriptor() {
        return cblas_saxpy.DESC;
    }

    public static MethodHandle cblas_saxpy$handle() {
        return cblas_saxpy.HANDLE;
    }

    /**
     * {@snippet lang=c :
     * void cblas_saxpy(const blasint n, const float alpha, const float *x, const blasint incx, float *y, const blasint incy)
     * }
     */
    public static void cblas_saxpy(int n, float alpha, MemorySegment x, int incx, MemorySegment y, int incy) {
        var mh$ = cblas_saxpy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cblas_saxpy", n, alpha, x, incx, y, incy);
            }
            mh$.invokeExact(n, alpha, x, incx, y, incy);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cblas_sgemm {
        public static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(
            cblas_h.C_INT,
            cblas_h.C_INT,
            cblas_h.C_INT,
            cblas_h.C_INT,
            cblas_h.C_INT,
            cblas_h.C_INT,
            cblas_h.C_FLOAT,
            cblas_h.C_POINTER,
            cblas_h.C_INT,
            cblas_h.C_POINTER,
            cblas_h.C_INT,
            cblas_h.C_FLOAT,
            cblas_h.C_POINTER,
            cblas_h.C_INT
        );
        public static final MemorySegment ADDR = cblas_h.findOrThrow("cblas_sgemm");
        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    public static FunctionDescriptor cblas_sgemm$descriptor() {
        return cblas_sgemm.DESC;
    }

    public static MethodHandle cblas_sgemm$handle() {
        return cblas_sgemm.HANDLE;
    }

    /**
     * {@snippet lang=c :
     * void cblas_sgemm(const enum CBLAS_ORDER Order, const enum CBLAS_TRANSPOSE TransA, const enum CBLAS_TRANSPOSE TransB, const blasint M, const blasint N, const blasint K, const float alpha, const float *A, const blasint lda, const float *B, const blasint ldb, const float beta, float *C, const blasint ldc)
     * }
     */
    public static void cblas_sgemm(int Order, int TransA, int TransB, int M, int N, int K, float alpha, MemorySegment A, int lda, MemorySegment B, int ldb, float beta, MemorySegment C, int ldc) {
        var mh$ = cblas_sgemm.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cblas_sgemm", Order, TransA, TransB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
            }
            mh$.invokeExact(Order, TransA, TransB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }
}
