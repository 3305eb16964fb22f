package dev.vecnn.nn;

import dev.vecnn.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * A differentiable step with several inputs and one output, a node of a {@link Graph}: residual
 * additions, concatenations, products. Like a {@link Layer} it is built once for its input sample
 * shapes (without the batch dimension); {@link #forward} maps batches (N, sample...) of every input to
 * the output and {@link #backward} maps dL/dy to one gradient per input. Results live in the
 * context's reused buffers: valid until the merge's next call.
 */
public abstract class Merge {
    /** Set by {@link #build}. */
    protected Context ctx;
    private long[][] inputShapes;
    private long[] outputShape;

    /** For subclasses. */
    protected Merge() {
    }

    /** Checks the input sample shapes; returns the output sample shape. */
    public final long[] build(Context context, List<long[]> sampleShapes) {
        if (ctx != null) throw new IllegalStateException(describe() + ": already built (a merge belongs to one model)");
        ctx = context;
        inputShapes = sampleShapes.stream().map(long[]::clone).toArray(long[][]::new);
        outputShape = init(sampleShapes.stream().map(long[]::clone).toList());
        return outputShape.clone();
    }

    /** Checks the input sample shapes; returns the output sample shape. */
    protected abstract long[] init(List<long[]> sampleShapes);

    /** The output of one batch of each input (same batch size N). */
    public abstract Tensor forward(List<Tensor> xs, boolean training);

    /** dL/dx for each input, from dL/dy of the last {@link #forward}. */
    public abstract List<Tensor> backward(Tensor gy);

    /** Trainable parameters (none for the merges in this library). */
    public List<Param> params() {
        return List.of();
    }

    /** A one-line text form, e.g. {@code add} or {@code concat 0}. */
    public abstract String describe();

    /** The input sample shapes given to {@link #build}. */
    public long[] inputShape(int i) {
        return inputShapes[i].clone();
    }

    /** Number of inputs. */
    public int arity() {
        return inputShapes.length;
    }

    /** The output sample shape. */
    public long[] outputShape() {
        return outputShape.clone();
    }

    /** The common batch size of {@code xs}, checking each sample shape. */
    protected long batchOf(List<Tensor> xs) {
        if (xs.size() != inputShapes.length) {
            throw new IllegalArgumentException("xs: " + xs.size() + " inputs, " + describe() + " takes " + inputShapes.length);
        }
        long n = -1;
        for (int i = 0; i < xs.size(); i++) {
            long[] s = xs.get(i).shape();
            if (s.length != inputShapes[i].length + 1 || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), inputShapes[i])) {
                throw new IllegalArgumentException("xs[" + i + "]: shape " + Arrays.toString(s) + ", expected (N, "
                        + Arrays.toString(inputShapes[i]).replaceAll("[\\[\\]]", "") + ") for " + describe());
            }
            if (n >= 0 && s[0] != n) throw new IllegalArgumentException("xs[" + i + "]: batch " + s[0] + ", input 0 has " + n);
            n = s[0];
        }
        return n;
    }

    @Override
    public String toString() {
        return describe();
    }
}
