package dev.vecnn.nn.layer;

import dev.vecnn.nn.Layer;
import dev.vecnn.tensor.Tensor;
import java.util.Arrays;

/**
 * A permutation of the sample dimensions (the batch dimension stays first): dimension d of the output
 * is dimension {@code order[d]} of the sample. The result is a contiguous copy.
 */
public final class Transpose extends Layer {
    private final int[] order, full, inverse;

    /** Sample dimension d of the output is sample dimension {@code order[d]} of the input. */
    public Transpose(int... order) {
        boolean[] seen = new boolean[order.length];
        for (int o : order) {
            if (o < 0 || o >= order.length || seen[o]) throw new IllegalArgumentException("order: " + Arrays.toString(order) + " is not a permutation");
            seen[o] = true;
        }
        this.order = order.clone();
        full = new int[order.length + 1];
        inverse = new int[order.length + 1];
        for (int d = 0; d < order.length; d++) full[d + 1] = order[d] + 1;
        for (int d = 0; d < full.length; d++) inverse[full[d]] = d;
    }

    /** Sample dimension d of the output is sample dimension {@code order()[d]}. */
    public int[] order() {
        return order.clone();
    }

    @Override
    protected long[] init(long[] sample) {
        if (sample.length != order.length) {
            throw new IllegalArgumentException("input: transpose " + Arrays.toString(order) + " needs samples of rank " + order.length
                    + ", got " + Arrays.toString(sample));
        }
        long[] out = new long[sample.length];
        for (int d = 0; d < out.length; d++) out[d] = sample[order[d]];
        return out;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        long n = batchOf(x, "x");
        Tensor y = ctx.buffer(this, "y", withBatch(n, outputShape()));
        y.copyFrom(x.permute(full));
        return y;
    }

    @Override
    public Tensor backward(Tensor gy) {
        Tensor gx = ctx.buffer(this, "gx", withBatch(gy.size(0), inputShape()));
        gx.copyFrom(gy.permute(inverse));
        return gx;
    }

    @Override
    public double[][] receptiveStep() {
        return MIXES_ALL;
    }

    @Override
    public String describe() {
        return "transpose " + Arrays.toString(order).replace(", ", ",").replaceAll("[\\[\\]]", "");
    }
}
