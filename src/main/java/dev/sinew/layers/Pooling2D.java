package dev.sinew.layers;

import dev.sinew.backend.Window;
import dev.sinew.tensor.Shape;
import java.util.List;
import java.util.Map;

/** What {@link MaxPooling2D} and {@link AveragePooling2D} share: the window, its config, its checks. */
abstract class Pooling2D extends PerSampleLayer {
    final int ph, pw, sh, sw;
    final String padding;
    Window g;

    Pooling2D(String type, int poolHeight, int poolWidth, int strideHeight, int strideWidth, String padding) {
        this.ph = Images.positive(type + " pool height", poolHeight);
        this.pw = Images.positive(type + " pool width", poolWidth);
        this.sh = Images.positive(type + " stride height", strideHeight);
        this.sw = Images.positive(type + " stride width", strideWidth);
        this.padding = Images.padding(type, padding);
    }

    @Override
    protected Shape computeOutputShape(Shape in) {
        Images.require(this, in);
        g = Window.of(describe(), in.dim(0), in.dim(1), in.dim(2), ph, pw, sh, sw, padding);
        return Shape.of(g.OH(), g.OW(), g.C());
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("pool_size", List.of((long) ph, (long) pw));
        c.put("strides", List.of((long) sh, (long) sw));
        c.put("padding", padding);
        return c;
    }
}
