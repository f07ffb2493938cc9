package dev.sinew.models;

import static dev.sinew.models.ModelFileReader.brief;
import static dev.sinew.models.ModelFileReader.list;
import static dev.sinew.models.ModelFileReader.longOf;
import static dev.sinew.models.ModelFileReader.map;
import static dev.sinew.models.ModelFileReader.string;

import dev.sinew.backend.Backend;
import dev.sinew.layers.Input;
import dev.sinew.layers.KerasTensor;
import dev.sinew.layers.Layer;
import dev.sinew.layers.Layers;
import dev.sinew.layers.Merge;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds a functional model from the config {@code ModelFile} wrote (Keras's shape: each layer
 * with its inbound nodes). Layers are made from their configs, then applied as their inbound
 * nodes say, each application as soon as the tensors it reads exist (a layer applied twice may
 * read a layer listed after it): an application waits on the first tensor it lacks, and making a
 * tensor wakes what waits on it, so a file costs time in proportion to its size whatever the
 * order of its layers. A node whose inputs never appear is an error. The config comes from a
 * file, so every name and index is checked.
 */
final class FunctionalConfig {
    private FunctionalConfig() {}

    /**
     * One application still to make: the layer, which application, the [name, node, tensor]
     * entries it reads, and those parsed; the first {@code next} of them are known to exist.
     */
    private static final class Pending {
        final Layer layer;
        final int application;
        final List<Object> reads;
        String[] sources;
        long[] nodes;
        int next;
        boolean made;

        Pending(Layer layer, int application, List<Object> reads) {
            this.layer = layer;
            this.application = application;
            this.reads = reads;
        }
    }

    /** Application {@code node} of layer {@code layer}: what a pending application waits for. */
    private record TensorRef(String layer, long node) {}

    static Model rebuild(Backend backend, long seed, String name, Map<String, Object> inner) {
        List<Object> layers = list(inner.get("layers"), "\"layers\"");
        Map<String, List<KerasTensor>> made = new HashMap<>();
        Map<String, Layer> byName = new LinkedHashMap<>();
        List<Pending> pending = new ArrayList<>();
        Map<String, KerasTensor> inputTensors = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            Map<String, Object> entry = map(layers.get(i), "layer " + i);
            String cls = string(entry.get("class_name"), "layer " + i + "'s \"class_name\"");
            String layerName = string(entry.get("name"), "layer " + i + "'s \"name\"");
            Map<String, Object> config = map(entry.get("config"), "layer " + i + "'s \"config\"");
            if (byName.containsKey(layerName) || made.containsKey(layerName)) {
                throw new IllegalArgumentException("two layers are named \"" + layerName + "\"");
            }
            if (cls.equals("InputLayer")) {
                Input in = ModelFileReader.input(config);
                KerasTensor input = Input.of(in.shape().dims());
                input.layer().withName(layerName);
                made.put(layerName, new ArrayList<>(List.of(input)));
                inputTensors.put(layerName, input);
                continue;
            }
            Layer l;
            try {
                l = Layers.fromConfig(cls, config);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("layer " + i + " (" + brief(cls) + " " + brief(config) + "): " + e.getMessage(), e);
            }
            l.withName(layerName);
            byName.put(layerName, l);
            made.put(layerName, new ArrayList<>());
            List<Object> nodes = list(entry.get("inbound_nodes"), "layer \"" + layerName + "\"'s \"inbound_nodes\"");
            if (nodes.isEmpty()) throw new IllegalArgumentException("layer \"" + layerName + "\" is never applied");
            for (int k = 0; k < nodes.size(); k++) {
                pending.add(new Pending(l, k, list(nodes.get(k), "layer \"" + layerName + "\"'s inbound node " + k)));
            }
        }
        if (inputTensors.isEmpty()) throw new IllegalArgumentException("the model has no InputLayer");
        for (Pending p : pending) parse(p, made);
        // A worklist: each application is looked at when it is listed and each time a tensor it
        // waits for is made; it resumes its scan where it stopped.
        Map<TensorRef, List<Pending>> waiting = new HashMap<>();
        ArrayDeque<Pending> ready = new ArrayDeque<>(pending);
        while (!ready.isEmpty()) {
            Pending p = ready.poll();
            List<KerasTensor> outs = made.get(p.layer.name());
            if (outs.size() < p.application) { // applications are made in order
                waiting.computeIfAbsent(new TensorRef(p.layer.name(), p.application - 1), t -> new ArrayList<>()).add(p);
                continue;
            }
            while (p.next < p.sources.length && p.nodes[p.next] < made.get(p.sources[p.next]).size()) p.next++;
            if (p.next < p.sources.length) {
                waiting.computeIfAbsent(new TensorRef(p.sources[p.next], p.nodes[p.next]), t -> new ArrayList<>()).add(p);
                continue;
            }
            List<KerasTensor> reads = new ArrayList<>();
            for (int k = 0; k < p.sources.length; k++) reads.add(made.get(p.sources[k]).get((int) p.nodes[k]));
            outs.add(p.layer instanceof Merge m ? m.apply(reads.toArray(KerasTensor[]::new)) : apply(p.layer, reads));
            p.made = true;
            List<Pending> woken = waiting.remove(new TensorRef(p.layer.name(), outs.size() - 1));
            if (woken != null) ready.addAll(woken);
        }
        for (Pending p : pending) {
            if (!p.made) {
                throw new IllegalArgumentException("layer \"" + p.layer.name() + "\"'s inbound node " + p.application
                        + " reads " + brief(p.reads) + ", which no layer makes");
            }
        }
        List<Object> outputs = list(inner.get("output_layers"), "\"output_layers\"");
        List<Object> inputs = list(inner.get("input_layers"), "\"input_layers\"");
        if (inputs.size() != inputTensors.size()) {
            throw new IllegalArgumentException("\"input_layers\" lists " + inputs.size() + " inputs but the model has "
                    + inputTensors.size() + " InputLayers " + brief(inputTensors.keySet()));
        }
        List<KerasTensor> ins = new ArrayList<>(), outs = new ArrayList<>();
        for (Object ref : inputs) {
            KerasTensor in = tensor(list(ref, "\"input_layers\""), made);
            if (!inputTensors.containsValue(in)) throw new IllegalArgumentException("\"input_layers\" entry " + brief(ref) + " is not an InputLayer");
            ins.add(in);
        }
        if (outputs.isEmpty()) throw new IllegalArgumentException("\"output_layers\" is empty");
        for (Object ref : outputs) outs.add(tensor(list(ref, "\"output_layers\""), made));
        return new Model(backend, seed, name, ins, outs);
    }

    private static KerasTensor apply(Layer l, List<KerasTensor> reads) {
        if (reads.size() != 1) throw new IllegalArgumentException("layer \"" + l.name() + "\" takes one input, its node reads "
                + reads.size());
        return l.apply(reads.getFirst());
    }

    /** Reads the [name, node, tensor] entries of {@code p}: every name must be a layer of the model, every node index >= 0. */
    private static void parse(Pending p, Map<String, List<KerasTensor>> made) {
        p.sources = new String[p.reads.size()];
        p.nodes = new long[p.reads.size()];
        for (int i = 0; i < p.sources.length; i++) {
            List<Object> ref = list(p.reads.get(i), "an inbound node's entry");
            String source = string(ref.isEmpty() ? null : ref.getFirst(), "an inbound node's layer name");
            if (!made.containsKey(source)) {
                throw new IllegalArgumentException("layer \"" + p.layer.name() + "\" reads a layer \"" + source
                        + "\" that the model does not have");
            }
            long k = ref.size() > 1 ? longOf(ref.get(1), "an inbound node's node index") : 0;
            if (k < 0) throw new IllegalArgumentException("an inbound node's node index is " + k);
            p.sources[i] = source;
            p.nodes[i] = k;
        }
    }

    private static KerasTensor tensor(List<Object> ref, Map<String, List<KerasTensor>> made) {
        String source = string(ref.isEmpty() ? null : ref.getFirst(), "a model input or output's layer name");
        List<KerasTensor> outs = made.get(source);
        long k = ref.size() > 1 ? longOf(ref.get(1), "a model input or output's node index") : 0;
        if (outs == null || k < 0 || k >= outs.size()) {
            throw new IllegalArgumentException("the model's input or output " + brief(ref) + " names no tensor");
        }
        return outs.get((int) k);
    }
}
