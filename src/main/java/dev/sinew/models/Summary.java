package dev.sinew.models;

import dev.sinew.layers.Layer;
import dev.sinew.tensor.Tensor;
import java.util.List;
import java.util.Locale;

/** {@link Model#summary()}'s table, laid out as Keras prints it (digits grouped with commas in any locale). */
final class Summary {
    private Summary() {}

    static String format(String name, List<Layer> layers, long total, long trainable) {
        String rule = "_".repeat(72) + "\n";
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(name).append("\"\n").append(rule);
        sb.append(String.format(Locale.ROOT, " %-32s %-25s %-10s%n", "Layer (type)", "Output Shape", "Param #"));
        sb.append("=".repeat(72)).append('\n');
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            String out = l.outputShape().toString().replace("(", "(None, ").replace(",)", ")");
            sb.append(String.format(Locale.ROOT, " %-32s %-25s %-10s%n", l.name() + " (" + l.typeName() + ")", out,
                    String.format(Locale.ROOT, "%,d", l.parameterCount())));
            if (i < layers.size() - 1) sb.append('\n');
        }
        sb.append("=".repeat(72)).append('\n');
        sb.append(String.format(Locale.ROOT, "Total params: %,d (%s)%n", total, humanBytes(total * Tensor.BYTES)));
        sb.append(String.format(Locale.ROOT, "Trainable params: %,d (%s)%n", trainable, humanBytes(trainable * Tensor.BYTES)));
        long frozen = total - trainable;
        sb.append(String.format(Locale.ROOT, "Non-trainable params: %,d (%s)%n", frozen, humanBytes(frozen * Tensor.BYTES)));
        sb.append(rule);
        return sb.toString();
    }

    private static String humanBytes(long b) {
        if (b >= 1 << 20) return String.format(Locale.ROOT, "%.2f MB", b / 1048576.0);
        if (b >= 1 << 10) return String.format(Locale.ROOT, "%.2f KB", b / 1024.0);
        return String.format(Locale.ROOT, "%.2f B", (double) b);
    }
}
