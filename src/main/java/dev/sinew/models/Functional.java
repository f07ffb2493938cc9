package dev.sinew.models;

import dev.sinew.layers.Input;
import dev.sinew.layers.KerasTensor;
import dev.sinew.layers.Layer;
import dev.sinew.tensor.Shape;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The graph of a functional model, read back from its outputs to its inputs through the symbolic
 * tensors (as Keras's {@code Functional} does): every layer application on the way becomes a node,
 * ordered so that each comes after the nodes it reads (depth-first from each output in turn,
 * inputs before the tensors made from them). A node reads other nodes by index, and model input
 * k as {@code -1 - k}.
 *
 * <p>Checked here, with Keras's wording where Keras has one: every input comes from
 * {@code Input.of} and appears once; every output is made by a layer (not an input), appears
 * once and by a layer of its own (the output's name is its layer's, and names its loss and
 * metrics); a tensor that does not lead back to the inputs is "Graph disconnected", naming the
 * layer that reads it; an input that no output depends on is an error (it would take data that
 * nothing reads).
 */
final class Functional {
    final List<KerasTensor> inputTensors, outputTensors;
    final List<Input> inputs = new ArrayList<>();
    final List<Node> nodes = new ArrayList<>();
    final List<KerasTensor> tensors = new ArrayList<>(); // each node's output tensor
    final int[] outputs;                                  // per model output, its node
    final List<Layer> layers; // distinct layers, in the order of their first application

    private final Map<KerasTensor, Integer> index = new IdentityHashMap<>();

    Functional(List<KerasTensor> inputTensors, List<KerasTensor> outputTensors) {
        if (inputTensors == null || inputTensors.isEmpty()) throw new IllegalArgumentException("a model needs at least one input tensor");
        if (outputTensors == null || outputTensors.isEmpty()) throw new IllegalArgumentException("a model needs at least one output tensor");
        this.inputTensors = List.copyOf(nonNull(inputTensors, "input"));
        this.outputTensors = List.copyOf(nonNull(outputTensors, "output"));
        for (int k = 0; k < this.inputTensors.size(); k++) {
            KerasTensor t = this.inputTensors.get(k);
            if (!(t.layer() instanceof Input i) || !t.inputs().isEmpty()) {
                throw new IllegalArgumentException("a model's inputs must come from Input.of(...); input " + k + " is " + t
                        + " (a layer's output can be a model input only in a model of its own)");
            }
            if (index.containsKey(t)) {
                throw new IllegalArgumentException("the list of inputs passed to the model contains the same input twice: " + k
                        + " and " + (-1 - index.get(t)) + " are both " + t);
            }
            index.put(t, -1 - k);
            inputs.add(i);
        }
        for (int j = 0; j < this.outputTensors.size(); j++) {
            KerasTensor t = this.outputTensors.get(j);
            if (index.containsKey(t) && index.get(t) < 0) {
                throw new IllegalArgumentException("output " + j + " is the model's input " + t + ": apply at least one layer");
            }
            for (int o = 0; o < j; o++) {
                if (this.outputTensors.get(o) == t) {
                    throw new IllegalArgumentException("outputs " + o + " and " + j + " are the same tensor " + t + "; list each output once");
                }
                if (this.outputTensors.get(o).layer() == t.layer()) {
                    throw new IllegalArgumentException("outputs " + o + " and " + j + " are both made by " + t.layer().describe()
                            + "; an output is named by its layer (its loss is logged as \"<layer name>_loss\"), so each output needs"
                            + " a layer of its own: end one branch with a layer of its own, e.g. an Activation(\"linear\")");
                }
            }
        }
        boolean[] used = new boolean[this.inputTensors.size()];
        outputs = new int[this.outputTensors.size()];
        for (int j = 0; j < outputs.length; j++) {
            outputs[j] = visit(this.outputTensors.get(j), used);
        }
        for (int k = 0; k < used.length; k++) {
            if (!used[k]) {
                throw new IllegalArgumentException("input " + k + " (" + this.inputTensors.get(k) + ") is not connected to any output;"
                        + " every input of a model must be used (fit and predict would take data for it that nothing reads)");
            }
        }
        Set<Layer> distinct = new LinkedHashSet<>();
        for (Node n : nodes) distinct.add(n.layer());
        layers = List.copyOf(distinct);
    }

    private static List<KerasTensor> nonNull(List<KerasTensor> ts, String what) {
        for (int i = 0; i < ts.size(); i++) {
            if (ts.get(i) == null) throw new IllegalArgumentException(what + " " + i + " of " + ts.size() + " is null");
        }
        return ts;
    }

    /**
     * Post-order: the tensor's inputs get their nodes first. Returns the tensor's node (-1 - k:
     * model input k). Depth-first with a stack of its own rather than recursion, so that a chain
     * of any length (a model file may describe one of tens of thousands of layers) cannot
     * overflow the thread's stack.
     */
    private int visit(KerasTensor output, boolean[] used) {
        Integer known = known(output, null, used);
        if (known != null) return known;
        ArrayDeque<Visit> path = new ArrayDeque<>();
        Set<KerasTensor> onPath = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        path.push(new Visit(output));
        onPath.add(output);
        int made = 0;
        while (!path.isEmpty()) {
            Visit v = path.peek();
            if (v.next < v.from.length) {
                KerasTensor in = v.tensor.inputs().get(v.next);
                Integer k = known(in, v.tensor.layer(), used);
                if (k != null) {
                    v.from[v.next++] = k;
                } else {
                    if (!onPath.add(in)) throw new IllegalArgumentException("the graph has a cycle through " + in);
                    path.push(new Visit(in));
                }
                continue;
            }
            path.pop();
            onPath.remove(v.tensor);
            nodes.add(new Node(v.tensor.layer(), v.from));
            tensors.add(v.tensor);
            made = nodes.size() - 1;
            index.put(v.tensor, made);
            if (!path.isEmpty()) {
                Visit reader = path.peek();
                reader.from[reader.next++] = made;
            }
        }
        return made;
    }

    /** A tensor on the path being visited: the nodes of its first {@code next} inputs are in {@code from}. */
    private static final class Visit {
        final KerasTensor tensor;
        final int[] from;
        int next;

        Visit(KerasTensor tensor) {
            this.tensor = tensor;
            this.from = new int[tensor.inputs().size()];
        }
    }

    /**
     * The node of {@code t} if it has one (marking a model input as used), else null. An input
     * that is not among the model's is "Graph disconnected"; {@code reader} is the layer that
     * reads {@code t}, for the message.
     */
    private Integer known(KerasTensor t, Layer reader, boolean[] used) {
        Integer k = index.get(t);
        if (k != null) {
            if (k < 0) used[-1 - k] = true;
            return k;
        }
        if (t.layer() instanceof Input) {
            throw new IllegalArgumentException("Graph disconnected: cannot find parent for tensor " + t + " at layer "
                    + (reader == null ? "(a model output)" : reader.describe()) + "; it is an input that is not among the model's"
                    + " inputs " + inputTensors + ": pass it in the inputs list");
        }
        return null;
    }

    /** The input shapes of node i: the model inputs' or the outputs of the nodes it reads. */
    List<Shape> inputShapes(int i) {
        List<Shape> in = new ArrayList<>();
        for (int j : nodes.get(i).inputs()) in.add(j < 0 ? inputs.get(-1 - j).shape() : tensors.get(j).shape());
        return in;
    }
}
