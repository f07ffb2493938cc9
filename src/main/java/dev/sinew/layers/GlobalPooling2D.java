package dev.sinew.layers;

import dev.sinew.tensor.Shape;
import dev.sinew.tensor.Workspace;
import java.util.Map;

/**
 * What {@link GlobalAveragePooling2D} and {@link GlobalMaxPooling2D} share: the shapes, Keras's
 * {@code keepdims}, the config, and the split of a batch over threads (each image is reduced on
 * its own, so each shard takes its own rows, as in {@link MaxPooling2D}).
 */
abstract class GlobalPooling2D extends PerSampleLayer {
    final boolean keepdims;
    int HW, C;        // pixels per image and channels, known once built

    GlobalPooling2D(boolean keepdims) {
        this.keepdims = keepdims;
    }

    /** Whether the output keeps its two pooled axes, as (1, 1, C) rather than (C,). */
    public boolean keepdims() {
        return keepdims;
    }

    @Override
    protected Shape computeOutputShape(Shape in) {
        Images.require(this, in);
        HW = in.dim(0) * in.dim(1);
        C = in.dim(2);
        return keepdims ? Shape.of(1, 1, C) : Shape.of(C);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("data_format", "channels_last");
        c.put("keepdims", keepdims);
        return c;
    }

    @Override
    public void allocate(Workspace workspace, int capacity) {
        y = allocateRows(workspace, "output", capacity, C);
        dx = allocateRows(workspace, "input gradient", capacity, (long) HW * C);
    }

    @Override
    protected long valuesPerSample() {
        return (long) HW * C;
    }
}
