package dev.sinew.cli;

import dev.sinew.backend.Cpu;
import dev.sinew.backend.NativeBackend;
import dev.sinew.nativ.NativeLibraries;
import dev.sinew.tensor.Tensor;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code sinew info}: which native libraries are in use, and a one-line SGEMM self-check. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show the native libraries in use.")
final class InfoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        NativeBackend.get();
        System.out.println("platform:  " + NativeLibraries.platform());
        System.out.println("OpenBLAS:  " + NativeLibraries.openblasSource());
        System.out.println("           " + NativeBackend.openblasConfig());
        System.out.println("threads:   " + NativeBackend.threads() + " (batches split into shards; OpenBLAS single-threaded inside each)");
        System.out.println("libsinew:  " + NativeLibraries.sinewSource());
        System.out.println("cpu:       " + Cpu.supported() + " supported, " + Cpu.enabled() + " in use by libsinew");
        System.out.println("sgemm self-check: " + sgemmSelfCheck());
        System.out.println("java:      " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
        return 0;
    }

    /** [[1,2],[3,4]] x [[5,6],[7,8]] = [[19,22],[43,50]] through the loaded OpenBLAS. */
    private static String sgemmSelfCheck() {
        try (Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
                Tensor b = Tensor.of(new float[] {5, 6, 7, 8}, 2, 2);
                Tensor c = Tensor.zeros(2, 2)) {
            NativeBackend.get().gemm(false, false, 2, 2, 2, 1f, a, b, 0f, c);
            float[] got = c.toArray();
            return Arrays.equals(got, new float[] {19, 22, 43, 50}) ? "ok" : "WRONG " + Arrays.toString(got);
        }
    }
}
