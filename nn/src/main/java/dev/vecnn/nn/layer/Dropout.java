package dev.vecnn.nn.layer;

import dev.vecnn.nn.Layer;
import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;

/**
 * Inverted dropout: in training each element is zeroed with probability p and the rest scaled by
 * 1/(1-p), from the model's seeded generator; in evaluation it is the identity.
 */
public final class Dropout extends Layer {
    private final double p;
    private Tensor mask;
    private boolean active;

    /** Drop probability p in [0, 1). */
    public Dropout(double p) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("p: must be in [0, 1), got " + p);
        this.p = p;
    }

    /** The drop probability. */
    public double p() {
        return p;
    }

    @Override
    protected long[] init(long[] sample) {
        return sample;
    }

    @Override
    public Tensor forward(Tensor in, boolean training) {
        batchOf(in, "x");
        active = training && p > 0;
        if (!active) return in;
        MemoryFormat m = ctx.memoryFormat();
        Tensor x = Elementwise.inFormat(ctx, this, "x", in, m);
        Tensor drawn = ctx.buffer(this, "mask", x.shape());
        Tensor y = ctx.buffer(this, "y", m, x.shape());
        double keep = 1 / (1 - p);
        // the mask is drawn in logical order from the model's seeded generator (the same mask in every memory
        // format); applying it is one vector pass
        for (long i = 0, n = x.numel(); i < n; i++) Elementwise.set(drawn, drawn.offset() + i, ctx.random().nextDouble() < p ? 0 : keep);
        mask = Elementwise.inFormat(ctx, this, "mask in format", drawn, m);
        ctx.kernels().multiply(Elementwise.flat(mask), Elementwise.flat(x), Elementwise.flat(y));
        return y;
    }

    @Override
    public Tensor backward(Tensor gyIn) {
        if (!active) return gyIn;
        MemoryFormat m = MemoryFormat.of(mask);
        Tensor gy = Elementwise.inFormat(ctx, this, "gy", gyIn, m);
        Tensor gx = ctx.buffer(this, "gx", m, gy.shape());
        ctx.kernels().multiply(Elementwise.flat(mask), Elementwise.flat(gy), Elementwise.flat(gx));
        return gx;
    }

    @Override
    public String describe() {
        return "dropout " + p;
    }
}
