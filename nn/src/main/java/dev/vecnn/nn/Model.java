package dev.vecnn.nn;

import dev.vecnn.nn.io.Weights;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A network ready to train: a {@link Graph} of layers (a chain for {@link #of(long[], DType, long,
 * Layer...)}), built for its input sample shapes in one dtype, with its own memory. Close it to free
 * the memory. The single-tensor methods ({@link #forward(Tensor, boolean)}, {@link #backward(Tensor)},
 * {@link #sampleShape()}, {@link #outputShape()}) need one input and one output; the map forms take
 * and return tensors by input and output name.
 *
 * <pre>{@code
 * try (Model m = Model.of(new long[] {1, 28, 28}, DType.F32, 42,
 *         new ConvLayer(8, 3, 3).padding(1, 1), Activation.relu(), PoolLayer.max(2, 2),
 *         new Flatten(), new Dense(10))) {
 *     System.out.println(m.summary());
 * }
 * }</pre>
 */
public final class Model implements AutoCloseable {
    private final Context ctx;
    private final Graph graph;

    private Model(Context ctx, Graph graph) {
        this.ctx = ctx;
        this.graph = graph;
        try {
            graph.build(ctx);
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /**
     * A chain of layers for samples of {@code sampleShape} (without batch), on all cores, seeded.
     *
     * @throws NullPointerException naming the argument, or the position of a null layer ({@code layers[2] is null})
     * @throws IllegalArgumentException when a layer does not fit the shape it receives, naming the layer
     */
    public static Model of(long[] sampleShape, DType dtype, long seed, Layer... layers) {
        return of(sampleShape, dtype, seed, Execution.defaults(), layers);
    }

    /** As {@link #of(long[], DType, long, Layer...)} on a given executor. */
    public static Model of(long[] sampleShape, DType dtype, long seed, Execution execution, Layer... layers) {
        Graph g = Graph.chain(sampleShape, layers);
        return new Model(new Context(dtype, execution, seed), g);
    }

    /** A model of {@code graph} (which it takes over: a graph is built once), on all cores, seeded. */
    public static Model of(Graph graph, DType dtype, long seed) {
        return of(graph, dtype, seed, Execution.defaults());
    }

    /** As {@link #of(Graph, DType, long)} on a given executor. */
    public static Model of(Graph graph, DType dtype, long seed, Execution execution) {
        java.util.Objects.requireNonNull(graph, "graph");
        return new Model(new Context(dtype, execution, seed), graph);
    }

    /**
     * The output of a batch (N, sample...); {@code training} enables dropout and batch statistics. A
     * batch of 0 samples gives an empty output (and, going back, zero parameter gradients), as in
     * PyTorch. The input must have the model's dtype: no silent conversion. One input, one output.
     */
    public Tensor forward(Tensor x, boolean training) {
        java.util.Objects.requireNonNull(x, "x");
        return graph.forward(Map.of(single(graph.inputNames(), "input"), x), training).values().iterator().next();
    }

    /** The outputs by name for batches of every input by name (all with the same batch size N). */
    public Map<String, Tensor> forward(Map<String, Tensor> xs, boolean training) {
        return graph.forward(xs, training);
    }

    /**
     * For inference while the weights do not change: convolution layers pack their weights on the first
     * forward pass of each input shape and reuse them (the last 4 shapes, batch sizes sharing one copy where
     * the same kernel runs them; ONNX Runtime does the same with constant initializers), and dense layers
     * pack theirs once ({@code Matmul.prepare}). Outputs are
     * bit-identical to an unfrozen model's. Backward passes, {@code Trainer.fit} and optimizer steps throw
     * {@link IllegalStateException} until {@link #unfreeze()}; {@link #load} and the loaders of
     * {@code dev.vecnn.nn.io} repack. Writes of your own to a parameter's tensor are seen by some layers at
     * once (biases and depthwise weights, which are not packed) and by the others (dense and most convolution
     * weights) only after {@code context().weightsChanged()}: call it after them. Evaluation passes ({@code training} false) of a
     * frozen model keep their intermediate values in one arena planned from the last pass's lifetimes, as ONNX
     * Runtime and TensorFlow Lite plan their memory ({@link Context#output}, {@code OutputMemory}). The tensors
     * such a pass returns are valid until the next forward pass (memory no longer used is then freed, and reading it
     * throws {@link IllegalStateException}); one fed back in as the next pass's input is kept, or copied aside,
     * until read. A backward pass needs a forward pass after {@link #unfreeze()}. Returns this model.
     */
    public Model freeze() {
        ctx.freeze();
        return this;
    }

    /**
     * Lays out the model's (N, C, spatial...) tensors in {@code format} from the next pass on, as PyTorch's
     * {@code model.to(memory_format=torch.channels_last)}: with {@link MemoryFormat#CHANNELS_LAST} the convolutions
     * run their channels-last kernels (output channels in the vector lanes, no gathers for strided or depthwise
     * layers), and convolutions, pooling, batch normalisation, activations, dropout and same-shape arithmetic write
     * their outputs and input gradients in it. Layers that move elements around (upsampling and padding gathers,
     * softmax, reshape, transpose, constant or broadcasting arithmetic) write channels-first, as do the gradients
     * of concatenations and of values read by several layers; the next convolution copies such an input once (in a
     * frozen model not where its kernel reads any layout, {@code Conv.readsAsItLies}: the channels-last GEMM's).
     * Inputs may come in either format. The values are those of {@link MemoryFormat#CHANNELS_FIRST}, bit for bit,
     * except where a kernel sums in another order channels-last: average pooling (global and adaptive too) and the
     * depthwise convolution's backward-data (so also a transposed depthwise convolution's forward pass), which
     * differ by rounding (see {@link Context#memoryFormat(MemoryFormat)}). Returns this model.
     */
    public Model memoryFormat(MemoryFormat format) {
        ctx.memoryFormat(format);
        return this;
    }

    /** The memory format of the tensors the model writes (channels-first unless set). */
    public MemoryFormat memoryFormat() {
        return ctx.memoryFormat();
    }

    /** Ends {@link #freeze()}: the packed copies are dropped; training is allowed again. */
    public Model unfreeze() {
        ctx.unfreeze();
        return this;
    }

    /** Whether {@link #freeze()} is in force. */
    public boolean frozen() {
        return ctx.frozen();
    }

    /** Back-propagates dL/doutput; fills every parameter's gradient; returns dL/dinput. One input, one output. */
    public Tensor backward(Tensor gy) {
        java.util.Objects.requireNonNull(gy, "gy");
        ctx.requireUnfrozen("backward");
        return graph.backward(Map.of(single(graph.outputNames(), "output"), gy)).values().iterator().next();
    }

    /**
     * Back-propagates dL/d(output) by output name (outputs left out contribute nothing); fills every
     * parameter's gradient; returns dL/d(input) by input name.
     */
    public Map<String, Tensor> backward(Map<String, Tensor> gys) {
        ctx.requireUnfrozen("backward");
        return graph.backward(gys);
    }

    /**
     * Back-propagates dL/doutput for the parameter gradients only (what training needs): layers that read
     * the model's input skip their input gradient. One output.
     */
    public void backwardParameters(Tensor gy) {
        java.util.Objects.requireNonNull(gy, "gy");
        ctx.requireUnfrozen("backwardParameters");
        graph.backward(Map.of(single(graph.outputNames(), "output"), gy), false);
    }

    private String single(List<String> names, String what) {
        if (names.size() != 1) {
            throw new IllegalArgumentException("model: has " + names.size() + " " + what + "s " + names + "; use the map form");
        }
        return names.get(0);
    }

    /** Trainable parameters, named {@code node.param} (a chain: {@code 0.weight}, nested {@code 2.inner.0.weight}). */
    public List<Param> params() {
        return graph.params();
    }

    /** Saved non-trainable state (running statistics). */
    public List<Param> state() {
        return graph.state();
    }

    /** The layers of the graph's nodes in order (a chain: its layers; merges are left out). */
    public List<Layer> layers() {
        List<Layer> l = new java.util.ArrayList<>();
        for (String n : graph.nodeNames()) if (graph.layer(n) != null) l.add(graph.layer(n));
        return l;
    }

    /** The graph (built: every node's shape is known). */
    public Graph graph() {
        return graph;
    }

    /** The sample shape of the only input. */
    public long[] sampleShape() {
        return graph.shape(single(graph.inputNames(), "input"));
    }

    /** The output sample shape of the only output. */
    public long[] outputShape() {
        return graph.shape(graph.outputNode(single(graph.outputNames(), "output")));
    }

    /** dtype, memory, executor and random generator. */
    public Context context() {
        return ctx;
    }

    /** Per-layer output shapes, parameters and receptive fields along every path; print it. */
    public Summary summary() {
        return Summary.of(this);
    }

    /** Writes parameters and state to a NumPy {@code .npz} (one array per name). */
    public void save(Path file) throws IOException {
        Weights.save(file, this);
    }

    /**
     * Reads a file written by {@link #save} (or any {@code .npz} of the same names and shapes); see
     * {@link Weights#load} for what is checked and how float64 arrays load into a float32 model.
     */
    public void load(Path file) throws IOException {
        Weights.load(file, this);
    }

    /** Total trainable parameters. */
    public long parameterCount() {
        return params().stream().mapToLong(p -> p.value().numel()).sum();
    }

    @Override
    public void close() {
        ctx.close();
    }
}
