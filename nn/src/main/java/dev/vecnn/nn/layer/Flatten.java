package dev.vecnn.nn.layer;

import dev.vecnn.nn.Layer;
import dev.vecnn.tensor.Tensor;

/** (N, C, spatial...) to (N, C * prod(spatial)), a view when the input is contiguous. */
public final class Flatten extends Layer {
    private long n;

    @Override
    protected long[] init(long[] sample) {
        return new long[] {Tensor.numel(sample)};
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        n = batchOf(x, "x");
        return Elementwise.contiguous(ctx, this, "x", x).reshape(n, outputShape()[0]);
    }

    @Override
    public Tensor backward(Tensor gy) {
        return Elementwise.contiguous(ctx, this, "gy", gy).reshape(Layer.withBatch(n, inputShape()));
    }

    @Override
    public double[][] receptiveStep() {
        return MIXES_ALL;
    }

    @Override
    public String describe() {
        return "flatten";
    }
}
