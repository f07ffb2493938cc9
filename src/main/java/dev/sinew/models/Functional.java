package dev.sinew.models;

import dev.sinew.layers.Input;
import dev.sinew.layers.KerasTensor;
import dev.sinew.layers.Layer;
import dev.sinew.tensor.Shape;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The graph of a functional model, read back from its output to its input through the symbolic
 * tensors (as Keras's {@code Functional} does): every layer application on the way becomes a node,
 * ordered so that each comes after the nodes it reads (depth-first, inputs before the tensors made
 * from them). A tensor that does not lead back to the model's input is an error naming the layer.
 */
final class Functional {
    final Input input;
    final List<Node> nodes = new ArrayList<>();
    final List<Shape> shapes = new ArrayList<>(); // each node's output shape
    final List<Layer> layers; // distinct layers, in the order of their first application

    private final KerasTensor in;
    private final Map<KerasTensor, Integer> index = new IdentityHashMap<>();

    Functional(KerasTensor input, KerasTensor output) {
        if (input == null || output == null) throw new IllegalArgumentException("a model needs an input and an output tensor");
        if (!(input.layer() instanceof Input i) || !input.inputs().isEmpty()) {
            throw new IllegalArgumentException("a model's input must come from Input.of(...), got " + input);
        }
        this.in = input;
        this.input = i;
        if (output == input) throw new IllegalArgumentException("the model's output is its input: apply at least one layer");
        visit(output, new LinkedHashSet<>());
        Set<Layer> distinct = new LinkedHashSet<>();
        for (Node n : nodes) distinct.add(n.layer());
        layers = List.copyOf(distinct);
    }

    /** Post-order: the tensor's inputs get their nodes first. Returns the tensor's node (-1: the input). */
    private int visit(KerasTensor t, Set<KerasTensor> onPath) {
        if (t == in) return -1;
        Integer known = index.get(t);
        if (known != null) return known;
        if (t.layer() instanceof Input) {
            throw new IllegalArgumentException("graph disconnected: " + t + " is an input other than the model's "
                    + in + "; every tensor must be computed from the model's input");
        }
        if (!onPath.add(t)) throw new IllegalArgumentException("the graph has a cycle through " + t);
        int[] from = new int[t.inputs().size()];
        for (int k = 0; k < from.length; k++) from[k] = visit(t.inputs().get(k), onPath);
        onPath.remove(t);
        nodes.add(new Node(t.layer(), from));
        shapes.add(t.shape());
        index.put(t, nodes.size() - 1);
        return nodes.size() - 1;
    }

    /** The input shapes of node i: the model input's or the outputs of the nodes it reads. */
    List<Shape> inputShapes(int i) {
        List<Shape> in = new ArrayList<>();
        for (int j : nodes.get(i).inputs()) in.add(j < 0 ? input.shape() : shapes.get(j));
        return in;
    }
}
