package dev.vecnn.nn;

import dev.vecnn.nn.io.Weights;
import dev.vecnn.nn.layer.Sequential;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A network ready to train: its layers (a {@link Sequential}, which may nest sequences and
 * residual blocks), built for one sample shape in one dtype, with its own memory. Close it to free
 * the memory.
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
    private final Sequential net;
    private final long[] sampleShape;

    private Model(Context ctx, long[] sampleShape, Layer... layers) {
        this.ctx = ctx;
        try {
            this.sampleShape = java.util.Objects.requireNonNull(sampleShape, "sampleShape").clone();
            this.net = new Sequential(layers);
            net.build(ctx, sampleShape);
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /**
     * A model for samples of {@code sampleShape} (without batch), on all cores, seeded.
     *
     * @throws NullPointerException naming the argument, or the position of a null layer ({@code layers[2] is null})
     * @throws IllegalArgumentException when a layer does not fit the shape it receives, naming the layer
     */
    public static Model of(long[] sampleShape, DType dtype, long seed, Layer... layers) {
        return of(sampleShape, dtype, seed, Execution.defaults(), layers);
    }

    /** As {@link #of(long[], DType, long, Layer...)} on a given executor. */
    public static Model of(long[] sampleShape, DType dtype, long seed, Execution execution, Layer... layers) {
        return new Model(new Context(dtype, execution, seed), sampleShape, layers);
    }

    /**
     * The output of a batch (N, sample...); {@code training} enables dropout and batch statistics. A
     * batch of 0 samples gives an empty output (and, going back, zero parameter gradients), as in
     * PyTorch. The input must have the model's dtype: no silent conversion.
     */
    public Tensor forward(Tensor x, boolean training) {
        return net.forward(x, training);
    }

    /** Back-propagates dL/doutput; fills every parameter's gradient; returns dL/dinput. */
    public Tensor backward(Tensor gy) {
        return net.backward(gy);
    }

    /** Trainable parameters, named {@code layer.param} (nested: {@code 2.inner.0.weight}). */
    public List<Param> params() {
        return net.params();
    }

    /** Saved non-trainable state (running statistics). */
    public List<Param> state() {
        return net.state();
    }

    /** The layers. */
    public List<Layer> layers() {
        return net.children();
    }

    /** The sample shape the model was built for. */
    public long[] sampleShape() {
        return sampleShape.clone();
    }

    /** The output sample shape. */
    public long[] outputShape() {
        return net.outputShape();
    }

    /** dtype, memory, executor and random generator. */
    public Context context() {
        return ctx;
    }

    /** Per-layer output shapes, parameters and receptive fields; print it. */
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
