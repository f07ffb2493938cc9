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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds a functional model from the config {@code ModelFile} wrote (Keras's shape: each layer
 * with its inbound nodes). Layers are made from their configs, then applied as their inbound
 * nodes say, in passes: a node waits until the tensors it reads exist (a layer applied twice
 * may read a layer listed after it), and a node whose inputs never appear is an error. The
 * config comes from a file, so every name and index is checked.
 */
final class FunctionalConfig {
    private FunctionalConfig() {}

    /** One application still to make: the layer, which application, and the [name, node, tensor] it reads. */
    private record Pending(Layer layer, int application, List<Object> reads) {}

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
        // Passes over what is left: each makes every application whose inputs exist (at most as
        // many passes as applications, since each pass but the last makes one at least).
        while (!pending.isEmpty()) {
            List<Pending> next = new ArrayList<>();
            for (Pending p : pending) {
                List<KerasTensor> reads = resolve(p, made);
                List<KerasTensor> outs = made.get(p.layer().name());
                if (reads == null || outs.size() != p.application()) {
                    next.add(p);
                    continue;
                }
                outs.add(p.layer() instanceof Merge m ? m.apply(reads.toArray(KerasTensor[]::new))
                        : apply(p.layer(), reads));
            }
            if (next.size() == pending.size()) {
                Pending p = next.getFirst();
                throw new IllegalArgumentException("layer \"" + p.layer().name() + "\"'s inbound node " + p.application()
                        + " reads " + brief(p.reads()) + ", which no layer makes");
            }
            pending = next;
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

    /** The tensors a node reads, or null while one of them is not made yet. */
    private static List<KerasTensor> resolve(Pending p, Map<String, List<KerasTensor>> made) {
        List<KerasTensor> reads = new ArrayList<>();
        for (Object r : p.reads()) {
            List<Object> ref = list(r, "an inbound node's entry");
            String source = string(ref.isEmpty() ? null : ref.getFirst(), "an inbound node's layer name");
            if (!made.containsKey(source)) {
                throw new IllegalArgumentException("layer \"" + p.layer().name() + "\" reads a layer \"" + source
                        + "\" that the model does not have");
            }
            List<KerasTensor> outs = made.get(source);
            long k = ref.size() > 1 ? longOf(ref.get(1), "an inbound node's node index") : 0;
            if (k < 0) throw new IllegalArgumentException("an inbound node's node index is " + k);
            if (k >= outs.size()) return null;
            reads.add(outs.get((int) k));
        }
        return reads;
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
