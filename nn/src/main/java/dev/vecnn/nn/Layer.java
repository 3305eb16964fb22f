package dev.vecnn.nn;

import dev.vecnn.tensor.Tensor;
import java.util.List;

/**
 * One differentiable step of a model. A layer is first {@link #build built} for a sample shape
 * (without the batch dimension), which creates its parameters; then {@link #forward} maps a batch
 * (N, sample...) to its output and {@link #backward} maps dL/dy to dL/dx, overwriting the gradients of
 * the parameters. Outputs and input gradients live in the context's reused buffers: valid until the
 * layer's next call.
 */
public abstract class Layer {
    /** Set by {@link #build}. */
    protected Context ctx;
    private long[] inputShape, outputShape;

    /** For subclasses. */
    protected Layer() {
    }

    /** Creates the parameters for samples of {@code sampleShape}; returns the output sample shape. */
    public final long[] build(Context context, long[] sampleShape) {
        java.util.Objects.requireNonNull(context, "context");
        java.util.Objects.requireNonNull(sampleShape, "sampleShape");
        if (ctx != null) throw new IllegalStateException(describe() + ": already built (a layer belongs to one model)");
        ctx = context;
        inputShape = sampleShape.clone();
        outputShape = init(sampleShape.clone());
        return outputShape.clone();
    }

    /** Checks the sample shape, creates parameters; returns the output sample shape. */
    protected abstract long[] init(long[] sampleShape);

    /** The output of a batch; {@code training} switches dropout and batch statistics. */
    public abstract Tensor forward(Tensor x, boolean training);

    /**
     * dL/dx from dL/dy for the batch of the last {@link #forward}; parameter gradients are overwritten.
     * May return null when {@link #inputGradientNeeded()} is false (nothing reads it).
     */
    public abstract Tensor backward(Tensor gy);

    private boolean inputGradientNeeded = true;

    /**
     * Set by the model before a backward pass: whether anything reads this layer's input gradient (not
     * when the layer reads the model's input and the caller wants parameter gradients only, as in
     * training). Layers whose input gradient costs a pass of its own (convolutions) then skip it.
     */
    public final void inputGradientNeeded(boolean needed) {
        inputGradientNeeded = needed;
    }

    /** Whether the input gradient of the coming {@link #backward} is read by anything. */
    public final boolean inputGradientNeeded() {
        return inputGradientNeeded;
    }

    /** The trainable parameters, named relative to this layer. */
    public List<Param> params() {
        return List.of();
    }

    /** Non-trainable state saved with the weights (e.g. batch normalisation's running statistics); grads are null. */
    public List<Param> state() {
        return List.of();
    }

    /** A one-line text form, e.g. {@code conv3d 8 k3x3x5 p1x1x2}. */
    public abstract String describe();

    /** The input sample shape given to {@link #build}. */
    public long[] inputShape() {
        return inputShape.clone();
    }

    /** The output sample shape. */
    public long[] outputShape() {
        return outputShape.clone();
    }

    /**
     * How this layer moves the receptive field along each spatial dimension: {@code {kernel, stride}}
     * per dimension (an effective kernel for dilation), or null for layers that act per position.
     * Layers that mix all positions (dense, flatten) return {@link #MIXES_ALL}.
     */
    public double[][] receptiveStep() {
        return null;
    }

    /** Marker: the layer's outputs depend on every input position. */
    public static final double[][] MIXES_ALL = new double[0][];

    /** Sub-layers in order, for summaries and weight names (empty for a plain layer). */
    public List<Layer> children() {
        return List.of();
    }

    /**
     * The batch size of {@code x} (0 is allowed: an empty batch gives an empty output), checking
     * first its dtype against the model's and then its sample shape against {@link #inputShape()}.
     *
     * @throws NullPointerException named {@code what} if {@code x} is null
     * @throws IllegalArgumentException naming {@code what} and this layer when the dtype or shape differ
     */
    protected long batchOf(Tensor x, String what) {
        if (x == null) throw new NullPointerException(what);
        if (x.dtype() != ctx.dtype()) {
            throw new IllegalArgumentException(what + ": dtype " + x.dtype().shortName() + ", but " + describe() + " is built for "
                    + ctx.dtype().shortName() + " (convert the input with Tensor.to, or build the model in " + x.dtype().shortName() + ")");
        }
        long[] s = x.shape();
        if (s.length != inputShape.length + 1) {
            throw new IllegalArgumentException(what + ": input rank " + s.length + " " + java.util.Arrays.toString(s) + ", expected (N, "
                    + java.util.Arrays.toString(inputShape).replace("[", "").replace("]", "") + ") for " + describe());
        }
        for (int d = 0; d < inputShape.length; d++) {
            if (s[d + 1] != inputShape[d]) {
                throw new IllegalArgumentException(what + ": input dimension " + (d + 1) + " is " + s[d + 1] + ", expected "
                        + inputShape[d] + " for " + describe());
            }
        }
        return s[0];
    }

    /** (n, sample...) */
    protected static long[] withBatch(long n, long[] sample) {
        long[] s = new long[sample.length + 1];
        s[0] = n;
        System.arraycopy(sample, 0, s, 1, sample.length);
        return s;
    }

    @Override
    public String toString() {
        return describe();
    }
}
