package dev.sinew.models;

import dev.sinew.layers.Layer;

/**
 * One application of a layer in a model's graph: the layer and the nodes whose outputs it reads,
 * by index ({@code -1 - k}: the model's input k, so -1 for a model of one input). A layer applied
 * twice is two nodes that share its weights.
 */
record Node(Layer layer, int[] inputs) {}
