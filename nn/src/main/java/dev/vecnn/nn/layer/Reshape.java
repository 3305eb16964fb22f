package dev.vecnn.nn.layer;

import dev.vecnn.nn.Layer;
import dev.vecnn.tensor.Tensor;
import java.util.Arrays;

/**
 * Samples reshaped to {@code shape} in row-major order (the batch dimension stays), a view when the
 * input is contiguous; one entry may be -1 (inferred). Flatten, squeeze and unsqueeze are reshapes.
 */
public final class Reshape extends Layer {
    private final long[] target;
    private long n;

    /** To samples of {@code shape} (one entry may be -1). */
    public Reshape(long... shape) {
        int free = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == -1) free++;
            else if (shape[d] < 1) throw new IllegalArgumentException("shape: dimension " + d + " is " + shape[d] + ", must be >= 1 or -1");
        }
        if (free > 1) throw new IllegalArgumentException("shape: " + Arrays.toString(shape) + " has more than one -1");
        target = shape.clone();
    }

    @Override
    protected long[] init(long[] sample) {
        long total = Tensor.numel(sample), known = 1;
        long[] out = target.clone();
        int free = -1;
        for (int d = 0; d < out.length; d++) {
            if (out[d] == -1) free = d;
            else known *= out[d];
        }
        if (free >= 0 && known > 0 && total % known == 0) out[free] = total / known;
        if (Tensor.numel(out) != total || free >= 0 && out[free] < 1) {
            throw new IllegalArgumentException("shape: samples " + Arrays.toString(sample) + " (" + total + " elements) cannot be reshaped to "
                    + Arrays.toString(target));
        }
        return out;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        n = batchOf(x, "x");
        return Elementwise.contiguous(ctx, this, "x", x).reshape(withBatch(n, outputShape()));
    }

    @Override
    public Tensor backward(Tensor gy) {
        return Elementwise.contiguous(ctx, this, "gy", gy).reshape(withBatch(n, inputShape()));
    }

    @Override
    public double[][] receptiveStep() {
        return MIXES_ALL;
    }

    @Override
    public String describe() {
        return "reshape " + Arrays.toString(outputShape() == null ? target : target).replace(", ", "x").replaceAll("[\\[\\]]", "");
    }
}
