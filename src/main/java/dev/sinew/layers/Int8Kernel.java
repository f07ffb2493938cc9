package dev.sinew.layers;

import dev.sinew.backend.Backend;
import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Tensor;
import dev.sinew.tensor.Workspace;
import java.lang.foreign.ValueLayout;

/**
 * A Dense kernel {@code (in, units)} quantized as Keras's {@code quantize("int8")} does it: per
 * output unit n, {@code scale[n] = 127 / (max_k |W[k][n]| + 1e-7)} and
 * {@code wq[k][n] = clip(round_half_even(W[k][n] * scale[n]), -127, 127)}; so
 * {@code W ~ wq / scale}. Held packed for the int8 product (layout in {@code sinew.h}), with each
 * unit's sum of wq (the VNNI kernel's correction for its unsigned inputs). Immutable once made:
 * every inference executor of a model reads the same one.
 *
 * @param wq     the packed int8 kernel, raw bytes in a float tensor
 * @param scale  (units) float
 * @param colsum (units rounded up to 16) int32, raw in a float tensor
 */
public record Int8Kernel(Tensor wq, Tensor scale, Tensor colsum, int in, int units) {

    /** Quantizes {@code kernel} ({@code in x units}, row-major, Keras's layout) into tensors of {@code workspace}. */
    public static Int8Kernel quantize(float[] kernel, int in, int units, Workspace workspace) {
        if (kernel.length != (long) in * units) {
            throw new IllegalArgumentException("Int8Kernel: a kernel of " + in + " x " + units + " needs "
                    + (long) in * units + " values, got " + kernel.length);
        }
        if (in > Backend.INT8_MAX_K) {
            throw new IllegalArgumentException("Int8Kernel: at most " + Backend.INT8_MAX_K
                    + " inputs for exact int32 sums, got " + in);
        }
        int kp = Backend.int8RowBytes(in), padded = (units + 15) / 16 * 16;
        Tensor wq = workspace.allocate(Shape.of((int) (Backend.int8KernelBytes(in, units) / Float.BYTES)));
        Tensor scale = workspace.allocate(Shape.of(units));
        Tensor colsum = workspace.allocate(Shape.of(padded));
        wq.segment().fill((byte) 0); // the padding must be zero
        colsum.segment().fill((byte) 0);
        for (int n = 0; n < units; n++) {
            float amax = 0f;
            for (int k = 0; k < in; k++) amax = Math.max(amax, Math.abs(kernel[k * units + n]));
            float s = 127f / (amax + 1e-7f);
            int sum = 0;
            for (int k = 0; k < in; k++) {
                byte q = (byte) Math.min(Math.max((float) Math.rint(kernel[k * units + n] * s), -127f), 127f);
                wq.segment().set(ValueLayout.JAVA_BYTE, packedIndex(kp, k, n), q);
                sum += q;
            }
            scale.set(n, s);
            colsum.segment().set(ValueLayout.JAVA_INT, (long) n * Integer.BYTES, sum);
        }
        return new Int8Kernel(wq, scale, colsum, in, units);
    }

    /** Where wq[k][n] is: blocks of 16 units, in each 4 consecutive k per unit ([n/16][k/4][n%16][k%4]). */
    public static long packedIndex(int kp, int k, int n) {
        return ((long) (n / 16) * (kp / 4) + k / 4) * 64 + (n % 16) * 4 + k % 4;
    }

    /**
     * Writes Keras's dequantized kernel {@code Wd[k][n] = wq[k][n] / scale[n]} ({@code in x units},
     * row-major, a float division as {@code ops.divide}) into {@code into}: what the input gradient
     * of training after quantize multiplies by.
     */
    public void dequantize(Tensor into) {
        if (into.size() < (long) in * units) {
            throw new IllegalArgumentException("Int8Kernel.dequantize: needs room for " + in + " x " + units + " values, got "
                    + into.size());
        }
        for (int n = 0; n < units; n++) {
            float s = scale.get(n);
            for (int k = 0; k < in; k++) into.set((long) k * units + n, at(k, n) / s);
        }
    }

    /** wq[k][n], the quantized weight. */
    public byte at(int k, int n) {
        return wq.segment().get(ValueLayout.JAVA_BYTE, packedIndex(Backend.int8RowBytes(in), k, n));
    }
}
