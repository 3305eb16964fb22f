package dev.vecnn.nn;

import dev.vecnn.conv.Epilogue;

import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A model as a directed acyclic graph: named inputs, nodes that are {@link Layer}s (one input) or
 * {@link Merge}s (several inputs), and named outputs. Residual additions, concatenations (U-Net skip
 * connections), branches and several inputs or outputs are all graphs; a chain of layers is the graph
 * {@code input -> 0 -> 1 -> ... -> output}. Nodes can only refer to nodes added before them, so the
 * order of addition is a topological order and a cycle cannot be written.
 *
 * <p>Backward runs the nodes in reverse order; where a node's output feeds several nodes (or is also
 * an output) the gradients arriving along each edge are summed. Parameters are named
 * {@code node.param}, e.g. {@code conv1.weight}.
 *
 * <pre>{@code
 * Graph g = new Graph();
 * Graph.Node x = g.input("image", 3, 32, 32);
 * Graph.Node c = g.add("conv", new ConvLayer(3, 3, 3).padding(1, 1), x);
 * g.output("y", g.add("skip", Arithmetic.add(), c, x));
 * try (Model m = Model.of(g, DType.F32, 42)) { ... }
 * }</pre>
 */
public final class Graph {
    /** A handle on a node of this graph (an input or an operation), used to wire later nodes. */
    public static final class Node {
        private final Graph graph;
        private final int id;

        private Node(Graph graph, int id) {
            this.graph = graph;
            this.id = id;
        }

        /** The node's name. */
        public String name() {
            return graph.entries.get(id).name;
        }

        @Override
        public String toString() {
            return name();
        }
    }

    /** Frozen evaluation passes (findResidualAdditions): the residual each convolution adds (-1: none), the node whose output each node passes on (-1: none), and the activation after the addition. */
    private int[] residualOf, passOn;
    /**
     * Frozen evaluation passes (findConvDepthwise): the depthwise node each convolution node computes with itself (-1:
     * none), the convolution node whose pair a node belongs to (the activation between and the depthwise node; -1: none),
     * and per pass whether each convolution node ran its pair as one.
     */
    private int[] pairedDepthwise, pairedFrom;
    private boolean[] pairRan;
    private Epilogue[] afterAddition;

    /** One node: an input (shape given), a layer or a merge, with the ids of its inputs. */
    private static final class Entry {
        final String name;
        final Layer layer;
        final Merge merge;
        final int[] inputs;
        long[] shape; // sample shape of the output, set at build
        int uses; // edges leaving this node, plus one if it is an output

        Entry(String name, Layer layer, Merge merge, int[] inputs, long[] shape) {
            this.name = name;
            this.layer = layer;
            this.merge = merge;
            this.inputs = inputs;
            this.shape = shape;
        }

        boolean isInput() {
            return layer == null && merge == null;
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, Integer> byName = new LinkedHashMap<>();
    private final List<Integer> inputs = new ArrayList<>();
    private final Map<String, Integer> outputs = new LinkedHashMap<>();
    private Context ctx;
    private Tensor[] values, grads;
    private int[] arrived;
    /** Whether the last forward pass was a frozen evaluation pass (its values not kept for a backward pass). */
    private boolean valuesShared;
    /** Per node, the last node that reads its value (MAX_VALUE: a model output; -1: none); built on first use. */
    private int[] lastReader;

    /** An empty graph. */
    public Graph() {
    }

    /** A chain: input {@code input}, the layers named 0, 1, ..., output {@code output}. */
    public static Graph chain(long[] sampleShape, Layer... layers) {
        Objects.requireNonNull(sampleShape, "sampleShape");
        Objects.requireNonNull(layers, "layers");
        if (layers.length == 0) throw new IllegalArgumentException("layers: a model needs at least one layer");
        for (int i = 0; i < layers.length; i++) if (layers[i] == null) throw new NullPointerException("layers[" + i + "] is null");
        Graph g = new Graph();
        Node n = g.input("input", sampleShape);
        for (int i = 0; i < layers.length; i++) n = g.add(Integer.toString(i), layers[i], n);
        g.output("output", n);
        return g;
    }

    /** A named input taking batches of samples of shape {@code sampleShape} (without the batch dimension). */
    public Node input(String name, long... sampleShape) {
        Objects.requireNonNull(sampleShape, "sampleShape");
        if (sampleShape.length == 0) throw new IllegalArgumentException("sampleShape: input '" + name + "' needs at least one dimension");
        for (int d = 0; d < sampleShape.length; d++) {
            if (sampleShape[d] < 1) {
                throw new IllegalArgumentException("sampleShape: input '" + name + "' dimension " + d + " is " + sampleShape[d] + ", must be >= 1");
            }
        }
        Node n = addEntry(name, null, null, new Node[0], sampleShape.clone());
        inputs.add(n.id);
        return n;
    }

    /** A layer applied to {@code input}. */
    public Node add(String name, Layer layer, Node input) {
        return addEntry(name, Objects.requireNonNull(layer, "layer"), null, new Node[] {Objects.requireNonNull(input, "input")}, null);
    }

    /** A merge applied to {@code inputs} (in order). */
    public Node add(String name, Merge merge, Node... inputs) {
        Objects.requireNonNull(merge, "merge");
        if (inputs.length == 0) throw new IllegalArgumentException("inputs: merge '" + name + "' needs at least one input");
        return addEntry(name, null, merge, inputs, null);
    }

    /** Marks {@code node} as the output named {@code name}. */
    public Graph output(String name, Node node) {
        checkOpen();
        Objects.requireNonNull(name, "name");
        own(node, "node");
        if (outputs.containsKey(name)) throw new IllegalArgumentException("name: output '" + name + "' is already defined");
        outputs.put(name, node.id);
        return this;
    }

    /** The node called {@code name}. */
    public Node node(String name) {
        Integer id = byName.get(name);
        if (id == null) throw new IllegalArgumentException("name: no node '" + name + "' in this graph");
        return new Node(this, id);
    }

    private Node addEntry(String name, Layer layer, Merge merge, Node[] in, long[] shape) {
        checkOpen();
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) throw new IllegalArgumentException("name: must not be empty");
        if (byName.containsKey(name)) throw new IllegalArgumentException("name: a node '" + name + "' already exists");
        int[] ids = new int[in.length];
        for (int i = 0; i < in.length; i++) ids[i] = own(in[i], "inputs[" + i + "]").id;
        for (Entry e : entries) {
            if (layer != null && e.layer == layer || merge != null && e.merge == merge) {
                throw new IllegalArgumentException((layer != null ? "layer" : "merge") + ": node '" + name + "' reuses the instance of node '"
                        + e.name + "'; a layer belongs to one node (share weights by reusing a node instead)");
            }
        }
        entries.add(new Entry(name, layer, merge, ids, shape));
        byName.put(name, entries.size() - 1);
        return new Node(this, entries.size() - 1);
    }

    private Node own(Node n, String what) {
        Objects.requireNonNull(n, what);
        if (n.graph != this) throw new IllegalArgumentException(what + ": node '" + n.name() + "' belongs to another graph");
        return n;
    }

    private void checkOpen() {
        if (ctx != null) throw new IllegalStateException("graph: already built into a model; it cannot change");
    }

    /** Builds every node for {@code context} in order; returns nothing, shapes are then known. */
    void build(Context context) {
        checkOpen();
        if (inputs.isEmpty()) throw new IllegalArgumentException("graph: no inputs");
        if (outputs.isEmpty()) throw new IllegalArgumentException("graph: no outputs");
        ctx = context;
        for (Entry e : entries) {
            List<long[]> shapes = new ArrayList<>();
            for (int i : e.inputs) shapes.add(entries.get(i).shape);
            try {
                if (e.layer != null) e.shape = e.layer.build(ctx, shapes.get(0));
                else if (e.merge != null) e.shape = e.merge.build(ctx, shapes);
            } catch (IllegalArgumentException bad) {
                // which node of a deep graph does not fit: its name, what it is and the sample shapes it received
                StringBuilder in = new StringBuilder();
                for (long[] sh : shapes) in.append(in.isEmpty() ? "" : " and ").append(Arrays.toString(sh));
                String what = e.layer != null ? e.layer.describe() : e.merge.describe();
                throw new IllegalArgumentException("node '" + e.name + "' (" + what + ") on samples " + in + ": " + bad.getMessage(), bad);
            }
            for (int i : e.inputs) entries.get(i).uses++;
        }
        for (int o : outputs.values()) entries.get(o).uses++;
        fuseActivations();
        findResidualAdditions();
        findConvDepthwise();
        Set<String> names = new HashSet<>();
        for (Param p : allParams(true)) {
            if (!names.add(p.name())) throw new IllegalArgumentException("graph: two parameters are named '" + p.name() + "'; rename a node");
        }
        values = new Tensor[entries.size()];
        grads = new Tensor[entries.size()];
        arrived = new int[entries.size()];
    }

    /**
     * A convolution or dense layer whose only reader is an activation layer computes that activation in
     * its own stores (one pass over the output, and its derivative with the bias gradient going back).
     * Then a convolution's ReLU whose only reader is a max pooling hands its derivative to the pooling
     * ({@link dev.vecnn.nn.layer.ConvLayer#handReluDerivativeTo}).
     */
    private void fuseActivations() {
        for (int k = 0; k < entries.size(); k++) {
            Entry e = entries.get(k);
            if (!(e.layer instanceof dev.vecnn.nn.layer.FusesActivation f) || e.uses != 1) continue;
            for (Entry next : entries) {
                if (next.layer instanceof dev.vecnn.nn.layer.Activation a && next.inputs.length == 1 && next.inputs[0] == k) {
                    f.fuse(a);
                    break;
                }
            }
        }
        // a convolution's ReLU read only by a max pooling: the pooling applies its derivative to the pooled gradient
        for (int k = 0; k < entries.size(); k++) {
            if (!(entries.get(k).layer instanceof dev.vecnn.nn.layer.ConvLayer conv)) continue;
            int r = onlyReader(k);
            if (r >= 0 && entries.get(r).layer instanceof dev.vecnn.nn.layer.Activation a && a.isFused()) r = onlyReader(r);
            if (r >= 0 && entries.get(r).layer instanceof dev.vecnn.nn.layer.PoolLayer pool) conv.handReluDerivativeTo(pool);
        }
    }

    /**
     * For frozen evaluation passes: an addition of two nodes' outputs of one shape, one of them a convolution without
     * activation that only this addition reads and that runs after the other, is computed by that convolution
     * ({@link dev.vecnn.nn.layer.ConvLayer#forwardResidual}), with the activation layer that alone reads the addition
     * (ResNet's ReLU), as ONNX Runtime fuses them into {@code FusedConv}: in place over the convolution's output, so no
     * memory holds the sum apart. The addition and that activation then pass the convolution's output on. Training and
     * unfrozen passes run the layers one by one.
     */
    private void findResidualAdditions() {
        int n = entries.size();
        residualOf = new int[n];
        passOn = new int[n];
        afterAddition = new Epilogue[n];
        Arrays.fill(residualOf, -1);
        Arrays.fill(passOn, -1);
        for (int k = 0; k < n; k++) {
            Entry e = entries.get(k);
            if (!(e.merge instanceof dev.vecnn.nn.layer.Arithmetic add) || !add.isAddition() || e.inputs.length != 2) continue;
            for (int side = 0; side < 2; side++) {
                int p = e.inputs[side], q = e.inputs[1 - side];
                Entry c = entries.get(p);
                if (!(c.layer instanceof dev.vecnn.nn.layer.ConvLayer conv) || conv.hasActivation() || c.uses != 1 || q >= p
                        || !Arrays.equals(c.shape, entries.get(q).shape) || residualOf[p] >= 0) continue;
                residualOf[p] = q;
                passOn[k] = p;
                afterAddition[p] = Epilogue.NONE;
                int a = onlyReader(k);
                if (a >= 0 && entries.get(a).layer instanceof dev.vecnn.nn.layer.Activation act && !act.isFused()) {
                    afterAddition[p] = act.function();
                    passOn[a] = k;
                }
                break;
            }
        }
    }

    /**
     * For frozen evaluation passes: a convolution whose output only a depthwise convolution reads (through its fused
     * activation at most; {@link dev.vecnn.conv.ConvDepthwise#pair}), neither of them in a residual addition, is tried as
     * a pair at the first one's turn ({@link dev.vecnn.nn.layer.ConvLayer#forwardThrough}, which says whether the kernels
     * run them as one pass: an inverted residual block's expansion and depthwise layers, or a stem and the depthwise
     * layer after it, channels-last). Where they do, the nodes between pass nothing on, and the first one's output is
     * never in memory.
     */
    private void findConvDepthwise() {
        int n = entries.size();
        pairedDepthwise = new int[n];
        pairedFrom = new int[n];
        pairRan = new boolean[n];
        Arrays.fill(pairedDepthwise, -1);
        Arrays.fill(pairedFrom, -1);
        for (int p = 0; p < n; p++) {
            if (!(entries.get(p).layer instanceof dev.vecnn.nn.layer.ConvLayer) || residualOf[p] >= 0) continue;
            int between = -1, r = onlyReader(p);
            if (r >= 0 && entries.get(r).layer instanceof dev.vecnn.nn.layer.Activation a && a.isFused()) {
                between = r;
                r = onlyReader(r);
            }
            if (r < 0 || !(entries.get(r).layer instanceof dev.vecnn.nn.layer.ConvLayer d) || residualOf[r] >= 0 || pairedFrom[p] >= 0
                    || !dev.vecnn.conv.ConvDepthwise.pair(((dev.vecnn.nn.layer.ConvLayer) entries.get(p).layer).spec(1), d.spec(1))) continue;
            pairedDepthwise[p] = r;
            pairedFrom[r] = p;
            if (between >= 0) pairedFrom[between] = p;
        }
    }

    /** How many convolution-depthwise pairs the last frozen evaluation pass ran as one ({@link #findConvDepthwise}): for tests. */
    int pairsRunAsOne() {
        int n = 0;
        for (boolean b : pairRan) if (b) n++;
        return n;
    }

    /** How many additions frozen evaluation passes compute inside a convolution ({@link #findResidualAdditions}): for tests. */
    int residualAdditions() {
        int n = 0;
        for (int q : residualOf) if (q >= 0) n++;
        return n;
    }

    /** The layer node that alone reads node k's output, once; -1 if there is none, or other readers. */
    private int onlyReader(int k) {
        if (entries.get(k).uses != 1) return -1;
        for (int r = 0; r < entries.size(); r++) {
            Entry e = entries.get(r);
            if (e.layer != null && e.inputs.length == 1 && e.inputs[0] == k) return r;
        }
        return -1;
    }

    /** Runs every node; returns the outputs by name. */
    Map<String, Tensor> forward(Map<String, Tensor> xs, boolean training) {
        Objects.requireNonNull(xs, "xs");
        ctx.ensureOpen();
        for (String k : xs.keySet()) {
            if (!byName.containsKey(k) || !inputs.contains(byName.get(k))) {
                throw new IllegalArgumentException("xs: '" + k + "' is not an input of this model (inputs " + inputNames() + ")");
            }
        }
        long n = -1;
        for (int i : inputs) {
            Entry e = entries.get(i);
            Tensor x = xs.get(e.name);
            if (x == null) throw new IllegalArgumentException("xs: input '" + e.name + "' is missing");
            long[] s = x.shape();
            String expected = "(N, " + Arrays.toString(e.shape).replaceAll("[\\[\\]]", "") + ") for input '" + e.name + "'";
            if (s.length != e.shape.length + 1) {
                throw new IllegalArgumentException("x: input rank " + s.length + " " + Arrays.toString(s) + ", expected " + expected);
            }
            for (int d = 0; d < e.shape.length; d++) {
                if (s[d + 1] != e.shape[d]) {
                    throw new IllegalArgumentException("x: input dimension " + (d + 1) + " is " + s[d + 1] + ", expected " + e.shape[d]
                            + "; samples " + expected);
                }
            }
            if (n >= 0 && s[0] != n) throw new IllegalArgumentException("xs: input '" + e.name + "' has batch " + s[0] + ", others " + n);
            if (x.dtype() != ctx.dtype()) {
                throw new IllegalArgumentException("x: dtype " + x.dtype().shortName() + ", but the model's input '" + e.name + "' is built for "
                        + ctx.dtype().shortName() + " (no silent conversion)");
            }
            n = s[0];
            values[i] = x;
        }
        // an earlier pass's output fed back in that lies in a layer's work tensor (a softmax's output, a channels-last
        // flatten's copy) is copied aside first: the layer would overwrite it before the later nodes read it. Two
        // tensors per input, so that a copy aside fed back in (an input that is also an output) is not copied onto itself.
        for (int i : inputs) {
            Tensor x = values[i];
            if (!ctx.inLayersWorkTensor(x)) continue;
            String name = "input " + entries.get(i).name;
            Tensor aside = ctx.buffer(this, name, MemoryFormat.of(x), x.shape());
            if (aside.overlaps(x)) aside = ctx.buffer(this, name + ", again", MemoryFormat.of(x), x.shape());
            aside.copyFrom(x);
            values[i] = aside;
        }
        // a frozen evaluation pass: outputs take the memory of values that no later node reads (Context.output)
        boolean plan = ctx.frozen() && !training;
        valuesShared = plan;
        if (plan) {
            List<Tensor> in = new ArrayList<>(inputs.size());
            for (int i : inputs) in.add(values[i]);
            ctx.beginOutputPlan(in);
        }
        try {
            Arrays.fill(pairRan, false);
            for (int k = 0; k < entries.size(); k++) {
                Entry e = entries.get(k);
                Tensor pair;
                if (plan && pairedDepthwise[k] >= 0 && (pair = ((dev.vecnn.nn.layer.ConvLayer) e.layer)
                        .forwardThrough((dev.vecnn.nn.layer.ConvLayer) entries.get(pairedDepthwise[k]).layer, values[e.inputs[0]])) != null) {
                    values[pairedDepthwise[k]] = pair; // findConvDepthwise: the depthwise node's output, computed now
                    values[k] = null;
                    pairRan[k] = true;
                } else if (plan && pairedFrom[k] >= 0 && pairRan[pairedFrom[k]]) {
                    if (pairedDepthwise[pairedFrom[k]] != k) values[k] = null; // the activation between: nothing to pass on
                } else if (plan && passOn[k] >= 0) {
                    values[k] = values[passOn[k]]; // computed by the convolution (findResidualAdditions)
                } else if (plan && residualOf[k] >= 0) {
                    values[k] = ((dev.vecnn.nn.layer.ConvLayer) e.layer).forwardResidual(values[e.inputs[0]], values[residualOf[k]], afterAddition[k]);
                } else if (e.layer != null) {
                    values[k] = e.layer.forward(values[e.inputs[0]], training);
                } else if (e.merge != null) {
                    List<Tensor> in = new ArrayList<>(e.inputs.length);
                    for (int i : e.inputs) in.add(values[i]);
                    values[k] = e.merge.forward(in, training);
                }
                if (plan) releaseDead(k);
            }
        } finally {
            if (plan) ctx.endOutputPlan();
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var o : outputs.entrySet()) out.put(o.getKey(), values[o.getValue()]);
        return out;
    }

    /** Hands the memory of the values whose last reader is node k back to the context (not the model's outputs). */
    private void releaseDead(int k) {
        if (lastReader == null) {
            lastReader = new int[entries.size()];
            Arrays.fill(lastReader, -1);
            for (int j = 0; j < entries.size(); j++) for (int i : entries.get(j).inputs) lastReader[i] = Math.max(lastReader[i], j);
            for (int o : outputs.values()) lastReader[o] = Integer.MAX_VALUE;
        }
        List<Tensor> live = null;
        for (int i = 0; i <= k; i++) {
            if (lastReader[i] != k || values[i] == null) continue; // null: not made (a convolution-depthwise pair ran as one)
            if (live == null) {
                live = new ArrayList<>();
                for (int j = 0; j <= k; j++) if ((lastReader[j] > k || j == k) && values[j] != null) live.add(values[j]);
            }
            ctx.release(values[i], live);
        }
    }

    /**
     * Back-propagates dL/d(output) for the outputs in {@code gys} (missing outputs contribute nothing);
     * fills every parameter's gradient (zero for layers no gradient reaches); returns dL/d(input).
     */
    Map<String, Tensor> backward(Map<String, Tensor> gys) {
        return backward(gys, true);
    }

    /**
     * As {@link #backward(Map)}; with {@code inputGradients} false, the layers reading a model input skip
     * their input gradient where they can (training needs parameter gradients only) and the result is empty.
     */
    Map<String, Tensor> backward(Map<String, Tensor> gys, boolean inputGradients) {
        Objects.requireNonNull(gys, "gys");
        for (String k : gys.keySet()) {
            if (!outputs.containsKey(k)) throw new IllegalArgumentException("gys: '" + k + "' is not an output of this model (outputs " + outputs.keySet() + ")");
        }
        if (values[0] == null) throw new IllegalStateException("backward: no forward pass yet");
        if (valuesShared) {
            throw new IllegalStateException("backward: the last forward pass was a frozen evaluation pass, whose layers' values share"
                    + " memory; run a forward pass after unfreeze() first");
        }
        Arrays.fill(grads, null);
        Arrays.fill(arrived, 0);
        for (var g : gys.entrySet()) {
            int o = outputs.get(g.getKey());
            Tensor v = values[o];
            if (!Arrays.equals(g.getValue().shape(), v.shape())) {
                throw new IllegalArgumentException("gys: gradient of '" + g.getKey() + "' has shape " + Arrays.toString(g.getValue().shape())
                        + ", the output is " + Arrays.toString(v.shape()));
            }
            accumulate(o, g.getValue());
        }
        for (Entry e : entries) {
            if (e.layer != null) e.layer.inputGradientNeeded(inputGradients || !entries.get(e.inputs[0]).isInput());
        }
        for (int k = entries.size() - 1; k >= 0; k--) {
            Entry e = entries.get(k);
            if (e.isInput()) continue;
            if (grads[k] == null) { // not on a path to a given output: no gradient, parameters zero
                for (Param p : e.layer != null ? e.layer.params() : e.merge.params()) p.grad().fill(0);
                continue;
            }
            if (e.layer != null) {
                Tensor g = e.layer.backward(grads[k]);
                if (g != null || e.layer.inputGradientNeeded()) accumulate(e.inputs[0], Objects.requireNonNull(g, e.name + ": no input gradient"));
            } else {
                List<Tensor> g = e.merge.backward(grads[k]);
                for (int i = 0; i < e.inputs.length; i++) accumulate(e.inputs[i], g.get(i));
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (!inputGradients) return out;
        for (int i : inputs) {
            Tensor g = grads[i];
            if (g == null) {
                g = ctx.buffer(this, "zero-grad " + i, values[i].shape());
                g.fill(0);
            }
            out.put(entries.get(i).name, g);
        }
        return out;
    }

    /**
     * Adds one edge's gradient into node {@code k}'s. A node used once passes the tensor on as it is;
     * a node used several times sums into its own buffer (the incoming tensors belong to their layers).
     */
    private void accumulate(int k, Tensor g) {
        Entry e = entries.get(k);
        if (e.uses <= 1) {
            grads[k] = g;
            return;
        }
        Tensor acc = ctx.buffer(this, "grad " + k, g.shape());
        if (arrived[k]++ == 0) {
            acc.copyFrom(g);
        } else {
            Tensor gc = dev.vecnn.nn.layer.Elementwise.contiguous(ctx, this, "edge " + k, g);
            for (long i = 0, n = acc.numel(); i < n; i++) {
                long a = acc.offset() + i;
                dev.vecnn.nn.layer.Elementwise.set(acc, a, dev.vecnn.nn.layer.Elementwise.get(acc, a)
                        + dev.vecnn.nn.layer.Elementwise.get(gc, gc.offset() + i));
            }
        }
        grads[k] = acc;
    }

    private List<Param> allParams(boolean withState) {
        List<Param> all = new ArrayList<>();
        for (Entry e : entries) {
            if (e.layer != null) {
                for (Param p : e.layer.params()) all.add(p.prefixed(e.name));
                if (withState) for (Param p : e.layer.state()) all.add(p.prefixed(e.name));
            } else if (e.merge != null) {
                for (Param p : e.merge.params()) all.add(p.prefixed(e.name));
            }
        }
        return all;
    }

    /** Trainable parameters in node order, named {@code node.param}. */
    List<Param> params() {
        List<Param> all = new ArrayList<>();
        for (Entry e : entries) {
            List<Param> own = e.layer != null ? e.layer.params() : e.merge != null ? e.merge.params() : List.of();
            for (Param p : own) all.add(p.prefixed(e.name));
        }
        return all;
    }

    /** Non-trainable state in node order. */
    List<Param> state() {
        List<Param> all = new ArrayList<>();
        for (Entry e : entries) if (e.layer != null) for (Param p : e.layer.state()) all.add(p.prefixed(e.name));
        return all;
    }

    /** Input names in order. */
    public List<String> inputNames() {
        return inputs.stream().map(i -> entries.get(i).name).toList();
    }

    /** Output names in order. */
    public List<String> outputNames() {
        return List.copyOf(outputs.keySet());
    }

    /** Names of every node (inputs and operations) in order. */
    public List<String> nodeNames() {
        return entries.stream().map(e -> e.name).toList();
    }

    /** The layer of node {@code name}, or null for an input or a merge. */
    public Layer layer(String name) {
        return entries.get(node(name).id).layer;
    }

    /** The merge of node {@code name}, or null for an input or a layer. */
    public Merge merge(String name) {
        return entries.get(node(name).id).merge;
    }

    /** The names of the nodes feeding node {@code name} (empty for an input). */
    public List<String> inputsOf(String name) {
        int[] in = entries.get(node(name).id).inputs;
        List<String> r = new ArrayList<>();
        for (int i : in) r.add(entries.get(i).name);
        return Collections.unmodifiableList(r);
    }

    /** The output sample shape of node {@code name} (inputs: as declared; others once built into a model). */
    public long[] shape(String name) {
        long[] s = entries.get(node(name).id).shape;
        if (s == null) throw new IllegalStateException("shape: node '" + name + "' is not built yet (build the graph into a Model)");
        return s.clone();
    }

    /** The node that output {@code name} reads. */
    public String outputNode(String name) {
        Integer o = outputs.get(name);
        if (o == null) throw new IllegalArgumentException("name: no output '" + name + "' (outputs " + outputs.keySet() + ")");
        return entries.get(o).name;
    }

    /** True when the graph is one input, a chain of layers each used once, one output at the end. */
    public boolean isChain() {
        if (inputs.size() != 1 || outputs.size() != 1) return false;
        for (int k = 1; k < entries.size(); k++) {
            Entry e = entries.get(k);
            if (e.layer == null || e.inputs[0] != k - 1) return false;
        }
        return outputs.values().iterator().next() == entries.size() - 1;
    }
}
