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
            sb.append(String.format(Locale.ROOT, " %-32s %-25s %-10s%n", l.name() + " (" + l.typeName() + ")",
                    batch(l.outputShape()), String.format(Locale.ROOT, "%,d", l.parameterCount())));
            if (i < layers.size() - 1) sb.append('\n');
        }
        return totals(sb, rule, 72, total, trainable);
    }

    /**
     * A functional model's table, with Keras's "Connected to" column: for each layer, the outputs
     * it reads as {@code name[node][tensor]} (node: which application of that layer). The inputs
     * come first, in order, then the layers in the order of their first application.
     */
    static String functional(String name, List<dev.sinew.layers.Input> inputs, List<Node> nodes, List<Layer> layers, long total,
            long trainable) {
        int width = 100;
        String rule = "_".repeat(width) + "\n", row = " %-28s %-20s %-10s %-38s%n";
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(name).append("\"\n").append(rule);
        sb.append(String.format(Locale.ROOT, row, "Layer (type)", "Output Shape", "Param #", "Connected to"));
        sb.append("=".repeat(width)).append('\n');
        for (int k = 0; k < inputs.size(); k++) {
            dev.sinew.layers.Input input = inputs.get(k);
            if (k > 0) sb.append('\n');
            sb.append(String.format(Locale.ROOT, row, input.name() + " (InputLayer)", batch(input.shape()), "0", "-"));
        }
        int[] application = new int[nodes.size()];
        java.util.Map<Layer, Integer> count = new java.util.IdentityHashMap<>();
        java.util.Map<Layer, List<String>> reads = new java.util.IdentityHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            application[i] = count.merge(n.layer(), 1, Integer::sum) - 1;
            for (int j : n.inputs()) {
                String from = j < 0 ? inputs.get(-1 - j).name() + "[0][0]" : nodes.get(j).layer().name() + "[" + application[j] + "][0]";
                reads.computeIfAbsent(n.layer(), k -> new java.util.ArrayList<>()).add(from);
            }
        }
        for (Layer l : layers) {
            sb.append('\n');
            sb.append(String.format(Locale.ROOT, row, l.name() + " (" + l.typeName() + ")", batch(l.outputShape()),
                    String.format(Locale.ROOT, "%,d", l.parameterCount()), String.join(", ", reads.get(l))));
        }
        return totals(sb, rule, width, total, trainable);
    }

    /** "(None, 28, 28, 32)": a sample's shape with Keras's batch dimension in front. */
    private static String batch(dev.sinew.tensor.Shape s) {
        return s.toString().replace("(", "(None, ").replace(",)", ")");
    }

    private static String totals(StringBuilder sb, String rule, int width, long total, long trainable) {
        sb.append("=".repeat(width)).append('\n');
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
