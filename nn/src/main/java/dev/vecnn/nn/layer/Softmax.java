package dev.vecnn.nn.layer;

import dev.vecnn.nn.Layer;
import dev.vecnn.tensor.Tensor;

/** Softmax over dimension 1 (the channels or classes) at every other index; max-shifted for range. */
public final class Softmax extends Layer {
    private Tensor y;

    @Override
    protected long[] init(long[] sample) {
        return sample;
    }

    @Override
    public Tensor forward(Tensor in, boolean training) {
        batchOf(in, "x");
        Tensor x = Elementwise.contiguous(ctx, this, "x", in);
        y = ctx.buffer(this, "y", x.shape());
        ctx.kernels().softmaxForward(x, y);
        return y;
    }

    @Override
    public Tensor backward(Tensor gyIn) {
        Tensor gy = Elementwise.contiguous(ctx, this, "gy", gyIn);
        Tensor gx = ctx.buffer(this, "gx", y.shape());
        ctx.kernels().softmaxBackward(y, gy, gx); // gx = y * (gy - <gy, y>)
        return gx;
    }

    @Override
    public String describe() {
        return "softmax";
    }
}
